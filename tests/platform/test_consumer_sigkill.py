"""A consumer killed (SIGKILL) while it applies a batch, then restarted: the productivity
read model equals the source of truth (the time service's entries) and nothing was
applied twice. Kills a platform process, so it runs with the fault tests (last)."""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from support.api import User
from support.platform import PlatformInfo

pytestmark = pytest.mark.fault

ENTRIES = 10_000
WORKER = "productivity-worker.0"


def csv_document(project_id: int) -> str:
    base = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    lines = ["project_id,start_time,end_time,notes,billable"]
    for n in range(ENTRIES):
        start = base + timedelta(minutes=97 * n)
        end = start + timedelta(minutes=15 + n % 60)
        lines.append(
            f"{project_id},{start:%Y-%m-%dT%H:%M:%SZ},{end:%Y-%m-%dT%H:%M:%SZ},"
            f"kill {n},{'true' if n % 3 else 'false'}"
        )
    return "\n".join(lines) + "\n"


async def applied(conn: asyncpg.Connection, user_id: int) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM time_entries WHERE user_id = $1", user_id))


async def test_a_consumer_killed_mid_batch_resumes_without_applying_anything_twice(
    platform: PlatformInfo, user: User, local_platform
) -> None:  # type: ignore[no-untyped-def]
    project = user.api.post("/api/v1/projects", json={"name": "sigkill"})
    assert project.status_code == 201, project.text
    project_id = project.json()["project"]["id"]
    productivity = await asyncpg.connect(platform.dsn("productivity"))
    source = await asyncpg.connect(platform.dsn("time"))
    pid_file = local_platform.layout.pids / f"{WORKER}.pid"
    try:
        answer = user.api.post(
            "/api/v1/time-entries/import-csv",
            content=csv_document(project_id).encode(),
            headers={"Content-Type": "text/csv"},
            timeout=120,
        )
        assert answer.status_code in (200, 201), answer.text
        # Kill the worker while it is part-way through the import's events.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and await applied(productivity, user.id) == 0:
            time.sleep(0.02)
        seen = await applied(productivity, user.id)
        assert 0 < seen < ENTRIES, f"could not catch the consumer mid-drain ({seen} applied)"
        os.kill(int(pid_file.read_text().strip()), signal.SIGKILL)
        time.sleep(0.5)
        assert local_platform.start_worker("productivity")

        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and await applied(productivity, user.id) < ENTRIES:
            time.sleep(0.25)
        truth = await source.fetch(
            "SELECT id, project_id, start_time, end_time, duration_seconds, billable "
            "FROM time_entries WHERE user_id = $1 ORDER BY id",
            user.id,
        )
        projected = await productivity.fetch(
            "SELECT id, project_id, start_time, end_time, seconds, billable "
            "FROM time_entries WHERE user_id = $1 ORDER BY id",
            user.id,
        )
        assert len(truth) == ENTRIES
        assert [tuple(r) for r in projected] == [tuple(r) for r in truth]
        days = await productivity.fetchrow(
            "SELECT sum(entries) AS entries, sum(seconds) AS seconds, "
            "sum(billable_seconds) AS billable FROM user_days WHERE user_id = $1",
            user.id,
        )
        assert days["entries"] == ENTRIES  # an event applied twice would count twice
        assert days["seconds"] == sum(r["duration_seconds"] for r in truth)
        assert days["billable"] == sum(r["duration_seconds"] for r in truth if r["billable"])
        groups = await productivity.fetchval(
            "SELECT sum(seconds) FROM user_rate_groups WHERE user_id = $1", user.id
        )
        assert groups == days["seconds"]
    finally:
        local_platform.start_worker("productivity")  # whatever happened above
        await productivity.close()
        await source.close()
