"""tt side by side with TimeTracker (the reference we compare our speed with), through the
team's load harness: the same scenarios, data and load generator against both, back to
back, and one table of what it measured.

The harness is not part of this repository: point at its folder with ``--harness DIR`` or
``TT_BASELINE_DIR``. It holds ``load.py`` (the load generator), ``seed_tt.py`` (loads its
data set into tt through tt's API), and ``setup.sh``/``stop.sh`` (a seeded TimeTracker on
127.0.0.1:58080). Its data folder (``--data`` or ``BASELINE_DIR``, the harness's own
default otherwise) holds TimeTracker's token, the token ``seed_tt.py`` made for tt, and
the virtual environment with aiohttp that load.py needs.

    ./dev bench compare --harness DIR                   # both sides, if TimeTracker answers
    ./dev bench compare --harness DIR --seed            # load the data set into tt first
    ./dev bench compare --harness DIR --runs 2 --out results/

Each side is measured with the other idle: start TimeTracker (``DIR/setup.sh <its source
tree>``) only for the comparison, and stop it after (``DIR/stop.sh``); nothing else should
load the machine meanwhile. Saturation figures are 2xx answers per second with 10
closed-loop clients; latencies are p50/p95/p99 at a fixed request rate, measured from each
request's scheduled start.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from _common import platform_doc

SCENARIOS = "projects,entries,create,search"
RATES = "projects=3,entries=24,create=26,search=50"
TIMETRACKER_URL = "http://127.0.0.1:58080"
# The harness's own default data folder (its README and setup.sh), when BASELINE_DIR is unset.
HARNESS_DATA_DEFAULT = "/var/tmp/tt-baseline"  # noqa: S108 (the harness's choice, not ours)


def fail(message: str) -> None:
    raise SystemExit(f"bench compare: {message}")


def harness_dir(arg: str | None) -> Path:
    value = arg or os.environ.get("TT_BASELINE_DIR")
    if not value:
        fail(
            "where is the load harness? Pass --harness DIR or set TT_BASELINE_DIR to the "
            "folder that holds load.py, seed_tt.py and setup.sh (it is not part of this "
            "repository; ask the team for it)"
        )
    path = Path(value).expanduser().resolve()
    missing = [f for f in ("load.py", "seed_tt.py", "shape.py") if not (path / f).is_file()]
    if missing:
        fail(f"{path} is not the load harness: {', '.join(missing)} missing")
    return path


def harness_python(data: Path) -> str:
    """load.py needs aiohttp (seed_tt.py httpx): the harness's venv, or this interpreter."""
    venv = data / "load-venv" / "bin" / "python"
    if venv.exists():
        return str(venv)
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        fail(
            f"no Python with aiohttp for load.py: run the harness's setup.sh once (it makes "
            f"{venv}), or `python3 -m venv v && v/bin/pip install aiohttp httpx` and set "
            f"--data to a folder with that venv as load-venv"
        )
    return sys.executable


def answers(base_url: str, token: str) -> tuple[bool, str]:
    """Whether ``token`` lists projects at ``base_url``; the reason if not."""
    try:
        r = httpx.get(
            f"{base_url}/api/v1/projects",
            params={"per_page": 1},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
    except httpx.HTTPError as exc:
        return False, f"no answer ({type(exc).__name__})"
    if r.status_code != 200:
        return False, f"HTTP {r.status_code}"
    total = r.json().get("pagination", {}).get("total", 0)
    if total < 200:
        return False, f"only {total} projects (the data set has 200)"
    return True, ""


def read_token(path: Path) -> str | None:
    return path.read_text().strip() if path.is_file() else None


def seed_tt(python: str, harness: Path, data: Path, doc: dict[str, Any]) -> None:
    admin = doc.get("admin") or {}
    if not admin.get("token"):
        fail("the platform file has no admin token to seed tt with")
    print(f"seeding tt at {doc['gateway_url']} (the harness's seed_tt.py) ...", file=sys.stderr)
    code = subprocess.call(
        [
            python,
            str(harness / "seed_tt.py"),
            "--base-url",
            doc["gateway_url"],
            "--token",
            admin["token"],
        ],
        env={**os.environ, "BASELINE_DIR": str(data)},
    )
    if code:
        fail(f"seed_tt.py exited {code}")


def run_load(
    python: str,
    harness: Path,
    base_url: str,
    token: str,
    args: argparse.Namespace,
    extra: list[str],
) -> dict[str, Any]:
    argv = [
        python,
        str(harness / "load.py"),
        "--base-url",
        base_url,
        "--token",
        token,
        "--mode",
        args.mode,
        "--duration",
        str(args.duration),
        "--warmup",
        str(args.warmup),
        "--concurrency",
        str(args.concurrency),
        "--rate",
        args.rate,
        "--scenarios",
        args.scenarios,
        *extra,
    ]
    result = subprocess.run(argv, stdout=subprocess.PIPE, text=True)
    if result.returncode:
        fail(f"load.py against {base_url} exited {result.returncode}")
    return dict(json.loads(result.stdout))


def figures(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """scenario -> {"req/s": saturation rate, "fixed": (p50, p95, p99, rate, errors)}."""
    out: dict[str, dict[str, Any]] = {}
    for res in summary.get("results", []):
        row = out.setdefault(res["scenario"], {})
        if "preflight_error" in res:
            row.setdefault("error", res["preflight_error"][:60])
            continue
        if res["mode"] == "saturation":
            row["req/s"] = res["req_per_s"]
        else:
            lat = res["latency_ms"]
            row["fixed"] = (lat["p50"], lat["p95"], lat["p99"], res["rate"], res["errors"])
    return out


def _joined(values: list[Any], fmt: str = "{}") -> str:
    return " · ".join(fmt.format(v) for v in values) if values else "-"


def _latency(runs: list[dict[str, Any]]) -> str:
    fixed = [r["fixed"] for r in runs if "fixed" in r]
    if not fixed:
        return "-"
    parts = []
    for i in range(3):  # p50, p95, p99
        low, high = min(f[i] for f in fixed), max(f[i] for f in fixed)
        parts.append(f"{low:g}" if low == high else f"{low:g}-{high:g}")
    errors = sum(f[4] for f in fixed)
    return " / ".join(parts) + f" ms @{fixed[0][3]:g}/s" + (f", {errors} errors" if errors else "")


def table(scenarios: list[str], tracker: list[dict[str, Any]], tt: list[dict[str, Any]]) -> str:
    header = [
        "scenario",
        "TimeTracker req/s",
        "tt req/s",
        "ratio",
        "TimeTracker p50/p95/p99",
        "tt p50/p95/p99 at the fixed rate",
    ]
    rows = [header]
    for name in scenarios:
        theirs = [f[name] for f in tracker if name in f]
        ours = [f[name] for f in tt if name in f]
        their_rates = [r["req/s"] for r in theirs if "req/s" in r]
        our_rates = [r["req/s"] for r in ours if "req/s" in r]
        ratio = "-"
        if their_rates and our_rates and sum(their_rates):
            ratio = (
                f"{(sum(our_rates) / len(our_rates)) / (sum(their_rates) / len(their_rates)):.1f}x"
            )
        errors = [r["error"] for r in theirs + ours if "error" in r]
        rows.append(
            [
                name,
                _joined(their_rates) if tracker else "not run",
                _joined(our_rates),
                ratio,
                _latency(theirs) if tracker else "not run",
                _latency(ours) + (f" ({errors[0]})" if errors else ""),
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main(args: argparse.Namespace) -> None:
    harness = harness_dir(args.harness)
    data = Path(args.data or os.environ.get("BASELINE_DIR") or HARNESS_DATA_DEFAULT)
    python = harness_python(data)
    doc = platform_doc()
    tt_url = doc["gateway_url"]

    if args.seed:
        seed_tt(python, harness, data, doc)
    tt_token = read_token(data / "tt-token")
    ok, why = answers(tt_url, tt_token) if tt_token else (False, "no token")
    if not ok:
        fail(
            f"tt at {tt_url} does not answer with the harness's data set ({why}): load it "
            f"once with --seed (seed_tt.py, about a minute, then the consumers catch up), "
            f"which writes its token to {data / 'tt-token'}"
        )

    tracker_token = None if args.tt_only else read_token(data / "token")
    tracker_ok, tracker_why = (
        answers(args.timetracker_url, tracker_token) if tracker_token else (False, "no token")
    )
    if not tracker_ok and not args.tt_only:
        print(
            f"TimeTracker does not answer at {args.timetracker_url} ({tracker_why}): tt alone. "
            f"To compare, start it with `{harness / 'setup.sh'} <TimeTracker source tree>` "
            f"(the harness README says which commit and how), rerun this, then "
            f"`{harness / 'stop.sh'}`.",
            file=sys.stderr,
        )
    print(
        "Measure each side with the other idle and nothing else loading the machine; only "
        "ratios of back-to-back runs count.",
        file=sys.stderr,
    )

    out = Path(args.out) if args.out else None
    if out:
        out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    tracker_runs: list[dict[str, Any]] = []
    tt_runs: list[dict[str, Any]] = []
    for run in range(1, args.runs + 1):
        sides = [("tt", tt_url, tt_token, [])]
        if tracker_ok and tracker_token:
            pidfile = data / "run" / "gunicorn.pid"
            watch = ["--watch-pidfile", str(pidfile)] if pidfile.exists() else []
            sides.insert(0, ("timetracker", args.timetracker_url, tracker_token, watch))
        for side, url, token, extra in sides:
            print(f"== run {run}/{args.runs}: {side} at {url}", file=sys.stderr)
            summary = run_load(python, harness, url, token, args, extra)
            if out:
                (out / f"{stamp}-{side}-run{run}.json").write_text(json.dumps(summary, indent=2))
            (tracker_runs if side == "timetracker" else tt_runs).append(figures(summary))

    scenarios = args.scenarios.split(",")
    print()
    print(table(scenarios, tracker_runs, tt_runs))
    if out:
        print(f"\nraw load.py output in {out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--harness", help="the load harness folder (default: TT_BASELINE_DIR)")
    parser.add_argument(
        "--data", help="the harness's data folder: tokens, load-venv (default: BASELINE_DIR)"
    )
    parser.add_argument("--timetracker-url", default=TIMETRACKER_URL)
    parser.add_argument("--tt-only", action="store_true", help="measure tt alone")
    parser.add_argument("--seed", action="store_true", help="load the data set into tt first")
    parser.add_argument("--runs", type=int, default=1, help="runs per side, back to back")
    parser.add_argument("--mode", choices=["saturation", "fixed", "both"], default="both")
    parser.add_argument("--scenarios", default=SCENARIOS)
    parser.add_argument("--rate", default=RATES, help="fixed rates, name=R,... (req/s)")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--out", help="also write each run's load.py JSON into this folder")
    main(parser.parse_args())
