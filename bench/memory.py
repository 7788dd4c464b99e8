"""What the running platform holds in memory: proportional set size (PSS) per process
group, from /proc/<pid>/smaps_rollup, and the platform's total.

PSS shares every shared page out among the processes that map it, so the per-process
figures add up to what the platform really costs (RSS would count PostgreSQL's shared
buffers once per backend, and the Python interpreter's shared libraries once per process).
Groups: each service's API replicas (``time``), its workers (``time-worker``), PostgreSQL
with every backend, Redis, Kafka, the gateway (Traefik). The trace backend of a test
platform is shown but not counted: it is a development tool, not part of the platform.

Target: the platform <= 1.5 GB PSS, idle and after load (a 100k-entry import
while the consumers drain it). This script starts nothing; it reads the platform file of a
running platform (``TT_PLATFORM_FILE``, or ``--platform``). To see the peak under load,
sample while the load runs, e.g. in a second shell:

    ./dev bench memory                                  # one sample
    ./dev bench memory --seconds 300 --interval 2       # peak while a load runs
    ./dev bench memory --per-process                    # every process on its own line
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from _common import child_pids, platform_doc, print_table

# Process groups that are not part of the platform's budget (tools a developer adds).
NOT_COUNTED = frozenset({"otel-collector"})

KINDS = {
    "postgres": "PostgreSQL",
    "redis": "Redis",
    "kafka": "Kafka",
    "gateway": "Traefik",
}


def group_of(process: str) -> str:
    """``time.0`` -> ``time``; ``time-worker.1`` -> ``time-worker``; ``kafka`` -> ``kafka``."""
    return process.split(".", 1)[0]


def kind_of(group: str) -> str:
    if group in NOT_COUNTED:
        return "not counted"
    return KINDS.get(group, "Python")


def children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (PostgreSQL's backends and auxiliary processes)."""
    found = child_pids(pid)
    return found + [g for c in found for g in children(c)]


def pss_kib(pid: int) -> int | None:
    """The process's PSS in KiB, or None if it is gone (or not ours to read)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return None


def platform_pids(doc: dict[str, Any]) -> dict[str, int]:
    """Process name -> pid, from the platform's pid files (live processes only)."""
    out = {}
    for path in sorted((Path(doc["state"]) / "pids").glob("*.pid")):
        text = path.read_text().strip()
        if text.isdigit() and Path(f"/proc/{text}").exists():
            out[path.stem] = int(text)
    return out


def sample(pids: dict[str, int]) -> dict[str, tuple[int, float]]:
    """Process name -> (processes, PSS MB), the process and its descendants together."""
    out = {}
    for name, pid in pids.items():
        members = [pid, *children(pid)]
        sizes = [s for s in map(pss_kib, members) if s is not None]
        if sizes:
            out[name] = (len(sizes), sum(sizes) / 1024)
    return out


def by_group(per_process: dict[str, tuple[int, float]]) -> dict[str, tuple[int, float]]:
    groups: dict[str, tuple[int, float]] = {}
    for name, (count, mb) in per_process.items():
        n, total = groups.get(group_of(name), (0, 0.0))
        groups[group_of(name)] = (n + count, total + mb)
    return groups


def counted_total(groups: dict[str, tuple[int, float]]) -> float:
    return sum(mb for group, (_, mb) in groups.items() if group not in NOT_COUNTED)


def rows_of(per: dict[str, tuple[int, float]], peak: dict[str, float] | None) -> list[dict]:  # type: ignore[type-arg]
    rows = []
    for name, (count, mb) in sorted(per.items(), key=lambda kv: (kind_of(group_of(kv[0])), kv[0])):
        row: dict[str, Any] = {
            "group": name,
            "kind": kind_of(group_of(name)),
            "processes": count,
            "PSS MB": round(mb, 1),
        }
        if peak is not None:
            row["peak PSS MB"] = round(peak.get(name, mb), 1)
        rows.append(row)
    return rows


def kind_rows(groups: dict[str, tuple[int, float]]) -> list[dict]:  # type: ignore[type-arg]
    kinds: dict[str, list[float]] = {}
    for group, (count, mb) in groups.items():
        entry = kinds.setdefault(kind_of(group), [0, 0.0])
        entry[0] += count
        entry[1] += mb
    return [
        {"kind": kind, "processes": int(count), "PSS MB": round(mb, 1)}
        for kind, (count, mb) in sorted(kinds.items(), key=lambda kv: -kv[1][1])
    ]


def main(args: argparse.Namespace) -> None:
    if args.platform:
        os.environ["TT_PLATFORM_FILE"] = args.platform
    doc = platform_doc()
    pids = platform_pids(doc)
    if not pids:
        raise SystemExit(f"no live process in {doc['state']}/pids: is the platform running?")
    deadline = time.monotonic() + args.seconds
    peak: dict[str, float] = {}
    peak_total, samples = 0.0, 0
    while True:
        per_process = sample(pids)
        current = per_process if args.per_process else by_group(per_process)
        for name, (_, mb) in current.items():
            peak[name] = max(peak.get(name, 0.0), mb)
        total = counted_total(by_group(per_process))
        peak_total = max(peak_total, total)
        samples += 1
        if time.monotonic() >= deadline:
            break
        time.sleep(args.interval)
    sampled = samples > 1
    groups = by_group(per_process)
    if args.json:
        print(
            json.dumps(
                {
                    "groups": {
                        g: {"processes": n, "pss_mb": round(mb, 1)} for g, (n, mb) in groups.items()
                    },
                    "total_mb": round(total, 1),
                    **(
                        {
                            "peak_mb": {k: round(v, 1) for k, v in peak.items()},
                            "peak_total_mb": round(peak_total, 1),
                            "samples": samples,
                        }
                        if sampled
                        else {}
                    ),
                },
                indent=2,
            )
        )
        return
    title = "PSS per process" if args.per_process else "PSS per process group"
    if sampled:
        title += f" (last of {samples} samples over {args.seconds:.0f} s; peak = highest sample)"
    print_table(title, rows_of(current, peak if sampled else None))
    print_table("PSS per kind", kind_rows(groups))
    budget = args.budget_mb
    print(f"\nplatform total {total:.0f} MB PSS (budget {budget:.0f} MB)", end="")
    print(f"; peak {peak_total:.0f} MB over {samples} samples" if sampled else "")
    left_out = sorted(g for g in groups if g in NOT_COUNTED)
    if left_out:
        print(f"not counted: {', '.join(left_out)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--platform", help="platform.json of the platform (default: TT_PLATFORM_FILE)"
    )
    parser.add_argument("--seconds", type=float, default=0.0, help="keep sampling this long (peak)")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between samples")
    parser.add_argument("--per-process", action="store_true", help="one line per process")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--budget-mb", type=float, default=1536.0, help="the target (1.5 GB)")
    main(parser.parse_args())
