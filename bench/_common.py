"""Shared by the benchmark scripts: the platform description, percentiles, a table printer,
and process memory."""

from __future__ import annotations

import json
import os
import statistics
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # reuse the test support code (clients, widgets)

from support.events import synthetic_event  # noqa: E402  (after the path above)

__all__ = ["synthetic_event"]


def platform_doc() -> dict[str, Any]:
    path = os.environ.get("TT_PLATFORM_FILE", str(REPO / ".tt" / "up" / "platform.json"))
    if not Path(path).exists():
        raise SystemExit(f"no running platform at {path}: run ./dev up first")
    return dict(json.loads(Path(path).read_text()))


def admin_client(doc: dict[str, Any]) -> httpx.Client:
    """The gateway, as the platform's admin."""
    return httpx.Client(
        base_url=doc["gateway_url"],
        headers={"Authorization": f"Bearer {doc['admin']['token']}"},
        timeout=30,
    )


def bench_user(
    api: httpx.Client,
    prefix: str,
    scopes: list[str],
    *,
    is_admin: bool = False,
    user_id: int | None = None,
) -> tuple[int, str]:
    """A new user (or ``user_id``) and a token of ``scopes`` whose rate limits are out of
    the way (the limiter still runs on every request); ``api`` is an admin client."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    if user_id is None:
        r = api.post(
            "/api/v1/admin/users",
            json={
                "username": name,
                "email": f"{name}@bench.test",
                "password": uuid.uuid4().hex,
                "is_admin": is_admin,
            },
        )
        r.raise_for_status()
        user_id = int(r.json()["user"]["id"])
    r = api.post(
        "/api/v1/admin/api-tokens",
        json={
            "name": name,
            "user_id": user_id,
            "scopes": scopes,
            "rate_limit_per_minute": 1_000_000,
            "rate_limit_per_hour": 100_000_000,
        },
    )
    r.raise_for_status()
    return user_id, str(r.json()["token"])


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary_ms(values: list[float]) -> dict[str, float]:
    """Seconds in, milliseconds out."""
    ms = [v * 1000 for v in values]
    return {
        "n": len(ms),
        "mean": statistics.fmean(ms) if ms else float("nan"),
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "max": max(ms) if ms else float("nan"),
    }


def print_table(title: str, rows: list[dict[str, Any]]) -> None:
    print(f"\n{title}")
    if not rows:
        return
    cols = list(rows[0])
    widths = {c: max(len(c), *(len(_fmt(r[c])) for r in rows)) for c in cols}
    print("  ".join(c.ljust(widths[c]) for c in cols))
    for row in rows:
        print("  ".join(_fmt(row[c]).ljust(widths[c]) for c in cols))


def _fmt(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def child_pids(pid: int) -> list[int]:
    """The direct children of ``pid``, started from any of its threads."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024
