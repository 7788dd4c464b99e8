"""Time entries through the gateway: latency of creating an entry and of listing 50 of a
user's 100k entries, at fixed request rates, and the most requests/s this machine serves.

Targets: create p99 <= 20 ms and list p99 <= 15 ms at 200 requests/s. The
machine is shared, so the last table also gives the CPU each process spends per request
and the rate two otherwise idle cores could serve from it. Requests
go through Traefik, ForwardAuth (token lookup, rate limit, signed identity) and the time
service, as a client's would. The bench user's token gets raised rate limits (the limiter
still runs on every request). The 100k entries are seeded with one SQL statement into the
time database (no events for them); everything measured goes through HTTP.

    ./dev up && ./dev bench time_entries [--seconds 10] [--rates 50,100,200]
    ./dev scale time 2 && ./dev bench time_entries     # two time processes behind Traefik
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from _common import (
    admin_client,
    bench_user,
    child_pids,
    platform_doc,
    print_table,
    rss_mb,
    summary_ms,
)

Send = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


def make_user(doc: dict[str, Any]) -> tuple[int, str]:
    """A bench user and a token whose rate limits are out of the way."""
    with admin_client(doc) as api:
        scopes = ["read:time_entries", "write:time_entries", "write:projects"]
        return bench_user(api, "bench-time", scopes)


async def seed(doc: dict[str, Any], user_id: int, project_id: int, count: int) -> float:
    """``count`` finished entries for the user, 30 minutes each, one every 2 hours back."""
    started = time.perf_counter()
    conn = await asyncpg.connect(doc["postgres"]["dsn"]["time"])
    try:
        await conn.execute(
            """
            INSERT INTO time_entries (user_id, project_id, start_time, end_time,
                duration_seconds, break_seconds, notes, tags, billable, paid, source, version,
                created_at, updated_at)
            SELECT $1, $2, ts, ts + interval '30 minutes', 1800, 0, 'seeded ' || n, 'bench',
                   n % 3 <> 0, false, 'manual', 1, now(), now()
            FROM generate_series(1, $3) AS n,
                 LATERAL (SELECT now() - n * interval '2 hours') AS t(ts)
            """,
            user_id,
            project_id,
            count,
        )
        await conn.execute("ANALYZE time_entries")
    finally:
        await conn.close()
    return time.perf_counter() - started


async def cleanup(doc: dict[str, Any], user_id: int) -> None:
    conn = await asyncpg.connect(doc["postgres"]["dsn"]["time"])
    try:
        await conn.execute("DELETE FROM time_entries WHERE user_id = $1", user_id)
    finally:
        await conn.close()


def creator(project_id: int, *, keyed: bool = False) -> Send:
    base = datetime(2031, 1, 1, tzinfo=UTC)

    async def send(client: httpx.AsyncClient, i: int) -> httpx.Response:
        start = base + timedelta(minutes=random.randrange(10_000_000))
        body = {
            "project_id": project_id,
            "start_time": start.isoformat(),
            "end_time": (start + timedelta(minutes=30)).isoformat(),
            "notes": f"bench {i}",
            "tags": "bench,load",
        }
        headers = {"Idempotency-Key": uuid.uuid4().hex} if keyed else None
        return await client.post("/api/v1/time-entries", json=body, headers=headers)

    return send


def lister(pages: int) -> Send:
    async def send(client: httpx.AsyncClient, i: int) -> httpx.Response:
        page = 1 + i % pages
        return await client.get("/api/v1/time-entries", params={"page": page, "per_page": 50})

    return send


async def at_rate(client: httpx.AsyncClient, send: Send, rate: float, seconds: float) -> dict:
    """Open loop: request i is sent at t0 + i/rate whatever the answers do, so a slow
    server shows as latency rather than as a lower request rate."""
    total = int(rate * seconds)
    latencies: list[float] = []
    errors: dict[int, int] = {}
    lag: list[float] = []

    async def one(i: int) -> None:
        started = time.perf_counter()
        try:
            response = await send(client, i)
            status = response.status_code
        except httpx.HTTPError:
            status = 599
        if status < 400:
            latencies.append(time.perf_counter() - started)
        else:
            errors[status] = errors.get(status, 0) + 1

    t0 = time.perf_counter()
    tasks = []
    for i in range(total):
        due = t0 + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        lag.append(max(0.0, time.perf_counter() - due))
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - t0
    return {
        "target/s": rate,
        "achieved/s": round(total / elapsed, 1),
        **{k: v for k, v in summary_ms(latencies).items() if k != "n"},
        "ok": len(latencies),
        "errors": sum(errors.values()),
        "send lag p99": summary_ms(lag)["p99"],
    }


async def saturate(client: httpx.AsyncClient, send: Send, workers: int, seconds: float) -> dict:
    """Closed loop: ``workers`` requests in flight at all times, for ``seconds``."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def worker() -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                ok = (await send(client, next(counter))).status_code < 400
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    elapsed = time.perf_counter() - t0
    stats = summary_ms(latencies)
    return {
        "in flight": workers,
        "req/s": round(len(latencies) / elapsed, 1),
        "p50": stats["p50"],
        "p99": stats["p99"],
        "errors": errors,
    }


TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def process_groups(doc: dict[str, Any]) -> dict[str, list[int]]:
    """The platform processes a request touches, by role (PostgreSQL with its backends)."""
    groups: dict[str, list[int]] = {}
    for path in (Path(doc["state"]) / "pids").glob("*.pid"):
        role = path.stem.split(".")[0]
        if role not in ("time", "time-worker", "auth", "auth-worker", "gateway", "postgres",
                        "redis"):  # fmt: skip
            continue
        pid = int(path.read_text().strip())
        groups.setdefault(role, []).extend([pid, *(child_pids(pid) if role == "postgres" else [])])
    return groups


async def cpu_per_request(
    client: httpx.AsyncClient, doc: dict[str, Any], send: Send, seconds: float
) -> dict[str, Any]:
    """CPU each process spends per request (closed loop, 8 in flight). On a machine shared
    with other work this, not latency, says what the platform costs: 2 cores divided by the
    total is the request rate the machine could serve with nothing else running."""
    groups = process_groups(doc)
    before = {role: sum(_cpu_seconds(p) for p in pids) for role, pids in groups.items()}
    mine = time.process_time()
    done = await saturate(client, send, 8, seconds)
    count = done["req/s"] * seconds or 1
    per = {
        role: (sum(_cpu_seconds(p) for p in pids) - before[role]) * 1000 / count
        for role, pids in groups.items()
    }
    per["bench client"] = (time.process_time() - mine) * 1000 / count
    total = sum(per.values())
    return {
        "req/s": done["req/s"],
        **{role: round(per[role], 2) for role in sorted(per)},
        "total": round(total, 2),
        "2 idle cores": round(2000 / total) if total else 0,
    }


def service_memory(doc: dict[str, Any]) -> dict[str, float]:
    pids = Path(doc["state"]) / "pids"
    found = {}
    for path in sorted(pids.glob("time*.pid")) + sorted(pids.glob("gateway.pid")):
        try:
            found[path.stem] = round(rss_mb(int(path.read_text().strip())), 1)
        except (OSError, ValueError):
            continue
    return found


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rates", default="50,100,200")
    parser.add_argument("--workers", default="8,32", help="in-flight requests for max req/s")
    parser.add_argument("--keep", action="store_true", help="keep the seeded entries")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]

    doc = platform_doc()
    replicas = doc.get("replicas", {}).get("time", 1)
    print(
        f"platform {doc['gateway_url']}: {replicas} time process(es), {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    user_id, token = make_user(doc)
    limits = httpx.Limits(max_connections=128, max_keepalive_connections=128)
    async with httpx.AsyncClient(
        base_url=doc["gateway_url"],
        headers={"Authorization": f"Bearer {token}"},
        limits=limits,
        timeout=30,
    ) as client:
        project = await client.post("/api/v1/projects", json={"name": f"bench {user_id}"})
        project.raise_for_status()
        project_id = int(project.json()["project"]["id"])
        took = await seed(doc, user_id, project_id, args.entries)
        print(f"seeded {args.entries} entries for user {user_id} in {took:.1f}s")
        memory_before = service_memory(doc)
        try:
            for _ in range(100):  # warm connections, caches and the identity cache
                await lister(20)(client, 0)
                await creator(project_id)(client, 0)

            rows = []
            for name, send in (("create", creator(project_id)), ("list 50", lister(20))):
                for rate in rates:
                    rows.append({"op": name, **await at_rate(client, send, rate, args.seconds)})
            keyed = await at_rate(client, creator(project_id, keyed=True), rates[-1], args.seconds)
            rows.append({"op": "create + Idempotency-Key", **keyed})
            print_table(
                f"Latency through the gateway, ms (open loop, {args.seconds:.0f} s per row)",
                rows,
            )

            peak = []
            for name, send in (("create", creator(project_id)), ("list 50", lister(20))):
                for workers in (int(w) for w in args.workers.split(",")):
                    peak.append({"op": name, **await saturate(client, send, workers, args.seconds)})
            print_table(f"Maximum throughput ({replicas} time process(es), closed loop)", peak)

            async def status(client: httpx.AsyncClient, i: int) -> httpx.Response:
                return await client.get("/api/v1/timer/status")

            costs = [
                {"op": name, **await cpu_per_request(client, doc, send, args.seconds)}
                for name, send in (
                    ("create", creator(project_id)),
                    ("list 50", lister(20)),
                    ("timer status", status),
                )
            ]
            print_table(
                f"CPU ms per request by process; load average {os.getloadavg()[0]:.2f}", costs
            )
        finally:
            if not args.keep:
                await cleanup(doc, user_id)
        memory_after = service_memory(doc)
        print_table(
            "Resident memory, MB",
            [{"process": k, "before": v, "after": memory_after.get(k, float("nan"))}
             for k, v in memory_before.items()],
        )  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
