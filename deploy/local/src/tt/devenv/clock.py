"""``./dev test --at``: the platform and the tests on a shifted wall clock, to find what
depends on the date, the weekday or the hour.

Every Python process (services, workers, pytest) shifts its own clock with time-machine,
started by the ``sitecustomize`` in ``clockshift/`` that ``PYTHONPATH`` names; PostgreSQL
(``now()``, ``current_date``) reads it through libfaketime. Kafka, Redis, Traefik and
Chromium keep the real clock: they only measure durations. Monotonic clocks stay real.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from tt.devenv.procs import DevError

SHIFT_VARIABLE = "TT_CLOCK_SHIFT_SECONDS"
HOOK_DIR = Path(__file__).parent / "clockshift"


def shift_the_clock(at: str) -> datetime:
    """From now on, processes started from here read ``at`` (UTC) now; returns it."""
    try:
        target = datetime.fromisoformat(at)
    except ValueError:
        raise DevError(f"--at {at!r}: expected a UTC time such as '2026-11-30 23:58:00'") from None
    target = target.replace(tzinfo=UTC) if target.tzinfo is None else target
    shift = round((target - datetime.now(UTC)).total_seconds())
    if shift > 0:
        # Kafka stamps records on the real clock and refuses some stamped ahead of it.
        raise DevError(f"--at {at!r} is in the future; pick a time in the past")
    os.environ[SHIFT_VARIABLE] = str(shift)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(HOOK_DIR), os.environ.get("PYTHONPATH")) if p
    )
    return target


def postgres_clock() -> dict[str, str]:
    """The environment that puts PostgreSQL on the shifted clock (empty without one)."""
    shift = os.environ.get(SHIFT_VARIABLE)
    if shift is None:
        return {}
    from tt.devenv.install import ensure_faketime

    return {
        "LD_PRELOAD": str(ensure_faketime()),
        "FAKETIME": f"{int(shift):+d}",
        # libfaketime 0.9.10 would also shift the monotonic clock, which PostgreSQL's
        # timeouts do not need.
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",
    }
