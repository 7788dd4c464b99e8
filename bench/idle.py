"""What an idle platform costs: the CPU every process of the running platform uses while
nobody sends a request, as a share of one core, per process and in total.

Target: under 5 % of one core in total. Run it on a platform nobody is using
(CPU time is counted per process, so other load on the machine does not inflate it).

    ./dev up && ./dev bench idle [--seconds 60]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from _common import platform_doc, print_table


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and of its children that were reaped."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (PostgreSQL's backends, the JVM's threads are one)."""
    out = [pid]
    for child in Path("/proc").iterdir():
        if not child.name.isdigit():
            continue
        try:
            parent = int((child / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == pid:
            out += process_tree(int(child.name))
    return out


def sample(pids: dict[str, int]) -> dict[str, float]:
    total: dict[str, float] = {}
    for name, pid in pids.items():
        seconds = 0.0
        for member in process_tree(pid):
            try:
                seconds += cpu_seconds(member)
            except OSError:
                continue  # gone meanwhile
        total[name] = seconds
    return total


def main(args: argparse.Namespace) -> None:
    doc = platform_doc()
    pids = {
        f.name.removesuffix(".pid"): int(f.read_text().strip())
        for f in sorted((Path(doc["state"]) / "pids").glob("*.pid"))
        if f.read_text().strip().isdigit() and Path(f"/proc/{f.read_text().strip()}").exists()
    }
    before = sample(pids)
    started = time.monotonic()
    time.sleep(args.seconds)
    after = sample(pids)
    elapsed = time.monotonic() - started
    rows = [
        {"process": name, "% of a core": round(100 * (after[name] - before[name]) / elapsed, 2)}
        for name in pids
        if name in after
    ]
    rows.sort(key=lambda r: -float(r["% of a core"]))
    rows.append({"process": "TOTAL", "% of a core": round(sum(r["% of a core"] for r in rows), 2)})
    print_table(f"idle platform, {elapsed:.0f} s without requests (target: TOTAL < 5)", rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    main(parser.parse_args())
