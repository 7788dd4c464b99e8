"""Productivity stats for a user with 100k entries: cold (computed) and cached (Redis)
latency of GET /api/v1/productivity/stats and the value dashboard, cached throughput, and
how long an entry event takes to show in the stats (publish -> new answer).

Targets: cold stats <= 150 ms, cached <= 5 ms median, event -> stats p95 <= 1 s.
Calls go straight to the service's port with a minted identity (the bench user is
synthetic, seeded in bulk into the read model), so the figures are the service's own.

    ./dev up && ./dev bench productivity [--entries 100000] [--cold 30] [--cached 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import redis.asyncio as aioredis
from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from _common import platform_doc, print_table, rss_mb, summary_ms, synthetic_event
from support.api import mint_identity
from tt.common.contracts.auth import USER_UPDATED
from tt.common.contracts.time import TIME_ENTRY_CREATED
from tt.common.db import unit_of_work
from tt.productivity import cache
from tt.productivity.analytics.timezones import local_wall_time, resolve_zone
from tt.productivity.readmodel.repository import rebuild_days

USER_ID = 9_100_000_000_001  # far above real ids; reused between runs
ZONE = "Europe/Berlin"
PROJECTS = 12
STATS = "/api/v1/productivity/stats"
VALUE = "/api/v1/stats/value-dashboard"


def _entries(count: int, now: datetime) -> list[tuple[Any, ...]]:
    """``count`` completed entries over about 2.5 years, 3 to 12 minutes each."""
    zone = resolve_zone(ZONE).zone
    rng = random.Random(42)
    span = 913 * 86400
    base = 9_100_000_000_000_000
    rows = []
    for i in range(count):
        start = now - timedelta(seconds=rng.randrange(3600, span))
        seconds = rng.randrange(180, 720)
        project = 9_100_000_000 + (i % PROJECTS)
        rows.append(
            (
                base + i,
                USER_ID,
                project,
                None,
                None,
                f"Bench project {i % PROJECTS}",
                None,
                start,
                start + timedelta(seconds=seconds),
                local_wall_time(start, zone),
                seconds,
                0,
                None,
                i % 3 != 0,
            )
        )
    return rows


# The projector keeps these totals entry by entry; the bulk seed sums them once.
_SEED_RATE_GROUPS = text(
    "INSERT INTO user_rate_groups (user_id, project_id, client_id, seconds) "
    "SELECT user_id, coalesce(project_id, 0), coalesce(client_id, 0), sum(seconds) "
    "FROM time_entries WHERE user_id = :uid AND seconds IS NOT NULL GROUP BY 1, 2, 3"
)

COLUMNS = (
    "id",
    "user_id",
    "project_id",
    "client_id",
    "task_id",
    "project_name",
    "task_name",
    "start_time",
    "end_time",
    "local_start",
    "seconds",
    "break_seconds",
    "paused_at",
    "billable",
)


async def seed(dsn: str, count: int) -> float:
    """The bench user, its projects and ``count`` entries, plus their aggregates (once)."""
    conn = await asyncpg.connect(dsn)
    try:
        have = await conn.fetchval(
            "SELECT count(*) FROM time_entries WHERE user_id = $1 AND id < $2",
            USER_ID,
            9_100_000_000_000_000 + count,
        )
        total = await conn.fetchval("SELECT count(*) FROM time_entries WHERE user_id = $1", USER_ID)
        if have == count and total >= count:
            return 0.0
        started = time.perf_counter()
        async with conn.transaction():
            await conn.execute("DELETE FROM time_entries WHERE user_id = $1", USER_ID)
            await conn.execute(
                "INSERT INTO users (id, username, timezone, known) VALUES ($1, 'bench', $2, true) "
                "ON CONFLICT (id) DO UPDATE SET timezone = excluded.timezone",
                USER_ID,
                ZONE,
            )
            for p in range(PROJECTS):
                await conn.execute(
                    "INSERT INTO projects (id, name, hourly_rate) VALUES ($1, $2, $3) "
                    "ON CONFLICT (id) DO NOTHING",
                    9_100_000_000 + p,
                    f"Bench project {p}",
                    None if p % 2 else 80,
                )
            await conn.copy_records_to_table(
                "time_entries", records=_entries(count, datetime.now(UTC)), columns=COLUMNS
            )
        # The steady state autovacuum keeps: statistics and a visibility map (index-only scans).
        await conn.execute("VACUUM ANALYZE time_entries")
    finally:
        await conn.close()
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    engine = create_async_engine(dsn.replace("postgresql://", "postgresql+asyncpg://"))
    try:
        async with unit_of_work(async_sessionmaker(engine)) as session:
            await rebuild_days(session, [USER_ID])
            await session.execute(
                text("DELETE FROM user_rate_groups WHERE user_id = :uid"), {"uid": USER_ID}
            )
            await session.execute(_SEED_RATE_GROUPS, {"uid": USER_ID})
    finally:
        await engine.dispose()
    return time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (load-independent cost, unlike latency)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def timed_get(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    r = await client.get(path, headers=headers)
    elapsed = time.perf_counter() - started
    assert r.status_code == 200, r.text
    return elapsed


async def cold(
    client: httpx.AsyncClient, redis: aioredis.Redis, path: str, headers: dict[str, str], n: int
) -> list[float]:
    """Each request after the user's cached payloads were dropped (as after an entry)."""
    out = []
    for _ in range(n):
        await cache.drop(redis, [USER_ID], catalog=False)
        out.append(await timed_get(client, path, headers))
    return out


async def cached_throughput(
    client: httpx.AsyncClient, headers: dict[str, str], total: int, workers: int = 8
) -> float:
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await client.get(STATS, headers=headers)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return total / (time.perf_counter() - started)


async def event_to_stats(
    client: httpx.AsyncClient, bootstrap: str, headers: dict[str, str], n: int
) -> list[float]:
    """Publish one completed entry (60 s today) and poll until today's cell grows."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    out = []
    try:
        for i in range(n):
            body = (await client.get(STATS, headers=headers)).json()
            before = body["heatmap"][-1]["seconds"]
            entry_id = 9_200_000_000_000_000 + int(time.time() * 1000) * 100 + i
            start = datetime.now(UTC) - timedelta(minutes=5)
            event = synthetic_event(
                TIME_ENTRY_CREATED,
                entry_id,
                user_id=USER_ID,
                start_time=start.isoformat(),
                end_time=(start + timedelta(seconds=60)).isoformat(),
                duration_seconds=60,
                billable=True,
            )
            started = time.perf_counter()
            await producer.send_and_wait(
                "tt.time.entries", event.to_json(), key=event.subject.encode()
            )
            deadline = started + 10
            while time.perf_counter() < deadline:
                body = (await client.get(STATS, headers=headers)).json()
                if body["heatmap"][-1]["seconds"] > before:
                    break
                await asyncio.sleep(0.005)
            out.append(time.perf_counter() - started)
    finally:
        await producer.stop()
    return out


async def timezone_change(
    client: httpx.AsyncClient, dsn: str, bootstrap: str, headers: dict[str, str]
) -> float:
    """Move the bench user to another zone: every entry's local day is recomputed."""
    conn = await asyncpg.connect(dsn)
    try:
        version = await conn.fetchval(
            "SELECT version FROM consumed_versions WHERE entity = 'user' AND entity_id = $1",
            str(USER_ID),
        )
        current = await conn.fetchval("SELECT timezone FROM users WHERE id = $1", USER_ID)
    finally:
        await conn.close()
    target = "America/New_York" if current == ZONE else ZONE
    event = synthetic_event(
        USER_UPDATED,
        USER_ID,
        (version or 0) + 1,
        username="bench",
        timezone=target,
        is_active=True,
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        started = time.perf_counter()
        await producer.send_and_wait("tt.auth.users", event.to_json(), key=event.subject.encode())
    finally:
        await producer.stop()
    while time.perf_counter() - started < 120:
        if (await client.get(STATS, headers=headers)).json()["timezone"] == target:
            break
        await asyncio.sleep(0.05)
    return time.perf_counter() - started


async def main(args: argparse.Namespace) -> None:
    doc = platform_doc()
    secrets = json.loads(Path(doc["secrets_file"]).read_text())  # noqa: ASYNC240 (once, at start)
    base = doc["services"]["productivity"][0]
    dsn = doc["postgres"]["dsn"]["productivity"]
    seeded_in = await seed(dsn, args.entries)
    pids = Path(doc["state"]) / "pids"
    api_pid = int((pids / "productivity.0.pid").read_text())
    worker_pid = int((pids / "productivity-worker.0.pid").read_text())
    redis = aioredis.from_url(f"{doc['redis_url']}/2")
    identity = mint_identity(
        secrets["identity_private_key"], user_id=USER_ID, username="bench", ttl=3600
    )
    headers = {"X-TT-Identity": identity}
    limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        await timed_get(client, STATS, headers)  # warm-up (connections, identity cache)
        floor = [await timed_get(client, "/healthz", {}) for _ in range(args.cached)]
        cpu0 = cpu_seconds(api_pid)
        cold_stats = await cold(client, redis, STATS, headers, args.cold)
        cpu_cold = (cpu_seconds(api_pid) - cpu0) / args.cold
        cold_stats_90 = await cold(client, redis, f"{STATS}?period=90", headers, args.cold)
        cold_value = await cold(client, redis, VALUE, headers, args.cold)
        await timed_get(client, STATS, headers)
        cpu0 = cpu_seconds(api_pid)
        cached = [await timed_get(client, STATS, headers) for _ in range(args.cached)]
        cpu_cached = (cpu_seconds(api_pid) - cpu0) / args.cached
        await timed_get(client, VALUE, headers)
        cached_value = [await timed_get(client, VALUE, headers) for _ in range(args.cached)]
        throughput = await cached_throughput(client, headers, args.cached * 4)
        events = await event_to_stats(client, doc["kafka_bootstrap"], headers, args.events)
        relocalized = await timezone_change(client, dsn, doc["kafka_bootstrap"], headers)
    await redis.aclose()

    print(f"user with {args.entries} entries (seeded in {seeded_in:.1f}s; 0 = reused)")
    rows = []
    for name, values, target in (
        ("GET /healthz (floor)", floor, ""),
        ("stats cold (period 30)", cold_stats, "<= 150 ms"),
        ("stats cold (period 90)", cold_stats_90, "<= 150 ms"),
        ("value dashboard cold", cold_value, ""),
        ("stats cached", cached, "p50 <= 5 ms"),
        ("value dashboard cached", cached_value, ""),
        ("event -> stats updated", events, "p95 <= 1000 ms"),
    ):
        s = summary_ms(values)
        rows.append({"measure": name, **s, "target": target})
    print_table("latency (ms)", rows)
    print_table(
        "throughput and memory",
        [
            {
                "cached stats req/s (8 clients)": round(throughput, 1),
                "API CPU ms/req cold (30)": round(cpu_cold * 1000, 2),
                "API CPU ms/req cached": round(cpu_cached * 1000, 2),
                "timezone change -> stats (s)": round(relocalized, 2),
                "api RSS MB": round(rss_mb(api_pid), 1),
                "worker RSS MB": round(rss_mb(worker_pid), 1),
            }
        ],
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--cold", type=int, default=30)
    parser.add_argument("--cached", type=int, default=300)
    parser.add_argument("--events", type=int, default=30)
    asyncio.run(main(parser.parse_args()))
