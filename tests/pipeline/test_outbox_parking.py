"""A stuck outbox is impossible: a row Kafka refuses (here: over the broker's size limit)
is parked after its attempts, the rows behind it are published, ``/metrics`` counts it,
and ``./dev outbox --retry`` puts it back in the queue. Runs on the time service."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import httpx

from support.kafka import fetch_events, get_end_offsets
from support.platform import PlatformInfo

REPO = Path(__file__).resolve().parents[2]
TOO_LARGE = 2 * 1024 * 1024  # over Kafka's default message.max.bytes (1 MiB)


def parked_metric(platform: PlatformInfo) -> float:
    text = httpx.get(f"{platform.internal_url('time')}/metrics", timeout=10).text
    match = re.search(r"^tt_outbox_parked_rows (\S+)$", text, re.MULTILINE)
    assert match, "tt_outbox_parked_rows is not in /metrics"
    return float(match.group(1))


def dev_outbox(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TT_DEV_PROFILE": os.environ.get("TT_DEV_PROFILE", "test")}
    return subprocess.run(
        [sys.executable, "-m", "tt.devenv.cli", "outbox", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def wait_parked(conn: asyncpg.Connection, key: str, deadline: float) -> asyncpg.Record:
    while time.monotonic() < deadline:
        row = await conn.fetchrow(
            "SELECT id, attempts, last_error FROM outbox_parked WHERE key = $1", key
        )
        if row is not None:
            return row
        await asyncio.sleep(0.2)
    raise AssertionError(f"outbox row {key} was not parked")


async def test_a_refused_row_is_parked_and_the_rows_behind_it_go_on(
    platform: PlatformInfo,
) -> None:
    key = f"too-large-{uuid.uuid4().hex[:8]}"
    since = await get_end_offsets(platform.kafka_bootstrap, "tt.time.projects")
    conn = await asyncpg.connect(platform.dsn("time"))
    try:
        await conn.execute(
            "INSERT INTO outbox (topic, key, event_type, payload, tombstone) "
            "VALUES ('tt.time.projects', $1, 'tt.project.updated', $2, false)",
            key,
            b"x" * TOO_LARGE,
        )
        await conn.execute("NOTIFY tt_outbox")  # as every outbox write does
        # A row behind it: an ordinary change through the API.
        answer = httpx.post(
            f"{platform.gateway_url}/api/v1/projects",
            json={"name": f"behind {key}"},
            headers={"Authorization": f"Bearer {platform.admin_token}"},
            timeout=10,
        )
        assert answer.status_code == 201, answer.text
        project_id = str(answer.json()["project"]["id"])
        published = await fetch_events(
            platform.kafka_bootstrap,
            "tt.time.projects",
            since=since,
            until=lambda events: any(e.subject == project_id for e in events),
            timeout=30,
        )
        assert any(e.subject == project_id for e in published), "the row behind never went out"

        parked = await wait_parked(conn, key, time.monotonic() + 30)
        assert parked["attempts"] == 5  # TT_OUTBOX_MAX_ATTEMPTS' default
        assert "TooLarge" in parked["last_error"]
        assert await conn.fetchval("SELECT count(*) FROM outbox WHERE key = $1", key) == 0
        assert parked_metric(platform) == 1.0

        listed = dev_outbox("time")
        assert listed.returncode == 0, listed.stderr
        assert str(parked["id"]) in listed.stdout
        assert "time: 1 parked" in listed.stdout

        retried = dev_outbox("time", "--retry", str(parked["id"]))
        assert retried.returncode == 0, retried.stderr
        assert f"parked row {parked['id']} re-queued" in retried.stdout
        assert (
            await conn.fetchval("SELECT count(*) FROM outbox_parked WHERE id = $1", parked["id"])
            == 0
        )
        # Back in the queue it is tried again, and parked again with a new id.
        again = await wait_parked(conn, key, time.monotonic() + 30)
        assert again["id"] != parked["id"]
        assert again["attempts"] == 5
        assert dev_outbox("time", "--retry", "999999999").returncode != 0
    finally:
        await conn.execute("DELETE FROM outbox_parked WHERE key = $1", key)
        await conn.execute("DELETE FROM outbox WHERE key = $1", key)
        await conn.close()
