"""The time service's three hottest routes through the gateway, on the side-by-side data
shape (20 clients, 200 projects, 2,000 tasks, 100,000 entries of one user): requests/s with
10 closed-loop clients, latency at fixed rates, and the CPU each process spends per request.

    ./dev up && ./dev bench time_hot_paths [--seconds 20] [--clients 10]

Scenarios, as the side-by-side comparison sends them:
- ``projects``: ``GET /api/v1/projects`` (the default page, 50 of the 200);
- ``entries``:  ``GET /api/v1/time-entries?per_page=50`` (newest first);
- ``create``:   ``POST /api/v1/time-entries`` ``{project_id, start_time, end_time, notes,
  billable}``, 10 s entries 20 s apart in an empty window, so no overlaps and the
  newest-first page stays the same.

Clients, projects and tasks are created through the API; the 100k entries go into the time
database with one SQL statement (no events: the consumers stay idle, so the CPU table shows
what a request costs, not a catch-up). The bench user's token has out-of-the-way rate
limits (the limiter still runs on every request). On a shared machine compare the CPU table
(milliseconds of CPU per request, per process), not wall-clock latency: 2 cores divided by
the total is the request rate the machine could serve with nothing else running.
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
from typing import Any

import asyncpg
import httpx

from _common import admin_client, bench_user, platform_doc, print_table, summary_ms
from time_entries import _cpu_seconds, process_groups, saturate

N_CLIENTS, N_PROJECTS, TASKS_PER_PROJECT, N_ENTRIES = 20, 200, 10, 100_000
SCOPES = [
    "read:projects",
    "write:projects",
    "read:clients",
    "write:clients",
    "read:tasks",
    "write:tasks",
    "read:time_entries",
    "write:time_entries",
]
Send = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


def make_user(doc: dict[str, Any]) -> tuple[int, str]:
    """A bench user and a token whose rate limits are out of the way."""
    with admin_client(doc) as api:
        return bench_user(api, "bench-hot", SCOPES)


async def create_all(
    client: httpx.AsyncClient, path: str, bodies: list[dict[str, Any]], key: str
) -> list[int]:
    limit = asyncio.Semaphore(8)

    async def one(body: dict[str, Any]) -> int:
        async with limit:
            for _ in range(5):  # a busy shared machine may answer 503 now and then
                r = await client.post(path, json=body)
                if r.status_code != 503:
                    break
                await asyncio.sleep(1)
            r.raise_for_status()
            return int(r.json()[key]["id"])

    return list(await asyncio.gather(*(one(b) for b in bodies)))


async def seed_catalogue(client: httpx.AsyncClient, tag: str) -> dict[int, list[int]]:
    """20 clients, 200 active projects (10 a client, with rates and budgets), 10 tasks each;
    returns each project's task ids."""
    clients = await create_all(
        client,
        "/api/v1/clients",
        [
            {"name": f"Client {tag} {i}", "default_hourly_rate": 60 + 5 * i}
            for i in range(N_CLIENTS)
        ],
        "client",
    )
    projects = await create_all(
        client,
        "/api/v1/projects",
        [
            {
                "name": f"Project {tag} {p:03d}",
                "client_id": clients[p % N_CLIENTS],
                "description": "design, build and review",
                "billable": p % 5 != 0,
                "hourly_rate": 50 + (p % 11) * 10,
                "estimated_hours": 200 + p,
                "budget_amount": 10_000 + (p % 7) * 5_000,
            }
            for p in range(N_PROJECTS)
        ],
        "project",
    )
    tasks = await create_all(
        client,
        "/api/v1/tasks",
        [
            {"project_id": pid, "name": f"Task {t}"}
            for pid in projects
            for t in range(TASKS_PER_PROJECT)
        ],
        "task",
    )
    return {
        pid: tasks[i * TASKS_PER_PROJECT : (i + 1) * TASKS_PER_PROJECT]
        for i, pid in enumerate(projects)
    }


async def seed_entries(doc: dict[str, Any], user_id: int, tasks_of: dict[int, list[int]]) -> None:
    """100k finished entries of 3-9 minutes, one per ~10.5 minutes over the last 2 years,
    80 % with a task, with the projects' clients (as a create through the API books them)."""
    rnd = random.Random(42)
    projects = list(tasks_of)
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first = end - timedelta(days=730)
    slot = timedelta(days=730) / N_ENTRIES
    rows = []
    for i in range(N_ENTRIES):
        pid = projects[rnd.randrange(len(projects))]
        start = (first + slot * i + timedelta(seconds=rnd.randrange(60))).replace(microsecond=0)
        seconds = rnd.randrange(180, 541)
        task = rnd.choice(tasks_of[pid]) if rnd.random() < 0.8 else None
        note = f"Reviewed login flow (#{rnd.randrange(100, 9999)})"
        rows.append((user_id, pid, task, start, start + timedelta(seconds=seconds), seconds, note))
    conn = await asyncpg.connect(doc["postgres"]["dsn"]["time"])
    try:
        await conn.execute(
            """
            INSERT INTO time_entries (user_id, project_id, client_id, task_id, start_time,
                end_time, duration_seconds, break_seconds, notes, billable, paid, source,
                version, created_at, updated_at)
            SELECT r.user_id, r.project_id, p.client_id, r.task_id, r.start_time, r.end_time,
                   r.seconds, 0, r.notes, true, false, 'manual', 1, now(), now()
            FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::timestamptz[],
                        $5::timestamptz[], $6::int[], $7::text[])
                 AS r(user_id, project_id, task_id, start_time, end_time, seconds, notes)
            JOIN projects p ON p.id = r.project_id
            """,
            *(list(column) for column in zip(*rows, strict=True)),
        )
        await conn.execute("ANALYZE time_entries")
    finally:
        await conn.close()


def scenarios(project_ids: list[int]) -> dict[str, Send]:
    base = datetime(1990, 1, 1) + timedelta(days=random.randrange(29 * 365))
    counter = iter(range(10**9))

    async def projects(client: httpx.AsyncClient) -> httpx.Response:
        return await client.get("/api/v1/projects")

    async def entries(client: httpx.AsyncClient) -> httpx.Response:
        return await client.get("/api/v1/time-entries", params={"per_page": 50})

    async def create(client: httpx.AsyncClient) -> httpx.Response:
        k = next(counter)
        start = base + timedelta(seconds=20 * k)
        return await client.post(
            "/api/v1/time-entries",
            json={
                "project_id": project_ids[k % len(project_ids)],
                "start_time": start.isoformat(),
                "end_time": (start + timedelta(seconds=10)).isoformat(),
                "notes": f"load test entry {k}",
                "billable": True,
            },
        )

    return {"projects": projects, "entries": entries, "create": create}


async def at_rate(client: httpx.AsyncClient, send: Send, rate: float, seconds: float) -> dict:
    """Open loop: request i starts at t0 + i/rate; latency from its scheduled start."""
    latencies: list[float] = []
    errors = 0

    async def one(due: float) -> None:
        nonlocal errors
        try:
            ok = (await send(client)).status_code < 400
        except httpx.HTTPError:
            ok = False
        if ok:
            latencies.append(time.perf_counter() - due)
        else:
            errors += 1

    t0 = time.perf_counter()
    tasks = []
    for i in range(int(rate * seconds)):
        due = t0 + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    stats = summary_ms(latencies)
    return {
        "rate/s": rate,
        "p50": stats["p50"],
        "p95": stats["p95"],
        "p99": stats["p99"],
        "errors": errors,
    }


async def cpu_per_request(
    client: httpx.AsyncClient, doc: dict[str, Any], send: Send, clients: int, seconds: float
) -> dict[str, Any]:
    """Saturation, with each process's CPU over the run divided by the requests served."""
    groups = process_groups(doc)
    before = {role: sum(_cpu_seconds(p) for p in pids) for role, pids in groups.items()}
    mine = time.process_time()
    # The shared closed loop hands each request its number; these scenarios count their own.
    done = await saturate(client, lambda c, _i: send(c), clients, seconds)
    count = done["req/s"] * seconds or 1
    per = {
        role: (sum(_cpu_seconds(p) for p in pids) - before[role]) * 1000 / count
        for role, pids in groups.items()
    }
    per["bench client"] = (time.process_time() - mine) * 1000 / count
    total = sum(per.values())
    return {
        **done,
        **{role: round(per[role], 2) for role in sorted(per)},
        "total": round(total, 2),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--rates", default="projects=50,entries=200,create=100")
    parser.add_argument("--only", default="projects,entries,create")
    parser.add_argument("--token", help="reuse a seeded bench user's token")
    parser.add_argument("--no-rates", action="store_true", help="skip the fixed-rate rows")
    args = parser.parse_args()
    doc = platform_doc()
    print(
        f"platform {doc['gateway_url']}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    token = args.token
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    if token is None:
        user_id, token = make_user(doc)
    async with httpx.AsyncClient(
        base_url=doc["gateway_url"],
        headers={"Authorization": f"Bearer {token}"},
        limits=limits,
        timeout=30,
    ) as client:
        if args.token is None:
            started = time.perf_counter()
            tasks_of = await seed_catalogue(client, uuid.uuid4().hex[:6])
            await seed_entries(doc, user_id, tasks_of)
            print(f"seeded in {time.perf_counter() - started:.0f}s; reuse with --token {token}")
        listed = (await client.get("/api/v1/projects", params={"per_page": 100})).json()
        send = scenarios([p["id"] for p in listed["projects"]])
        chosen = args.only.split(",")
        for name in chosen:  # warm connections, caches and statements
            for _ in range(50):
                await send[name](client)
        costs = []
        for name in chosen:
            costs.append(
                {
                    "scenario": name,
                    **await cpu_per_request(client, doc, send[name], args.clients, args.seconds),
                }
            )
        print_table(
            f"{args.clients} closed-loop clients, {args.seconds:.0f} s each: req/s, latency ms,"
            f" CPU ms per request by process (load average {os.getloadavg()[0]:.2f})",
            costs,
        )
        if not args.no_rates:
            rates = dict(pair.split("=") for pair in args.rates.split(","))
            rows = [
                {"scenario": name, **await at_rate(client, send[name], float(rate), args.seconds)}
                for name, rate in rates.items()
                if name in chosen
            ]
            print_table("Fixed rate (open loop), latency ms from the scheduled start", rows)


if __name__ == "__main__":
    asyncio.run(main())
