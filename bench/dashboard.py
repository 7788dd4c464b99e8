"""The dashboard routes for a user with 100k entries: cold (computed) and cached (Redis)
latency of /api/v1/dashboard/stats, /api/v1/dashboard/sparklines,
/api/v1/projects/<id>/forecast and /api/v1/ai/suggest (never cached).

Target: cold answers <= 20 ms p95. Calls go straight to the service's port with
a minted identity (the bench user of bench/productivity.py, seeded in bulk into the read
model), so the figures are the service's own, without the gateway.

    ./dev up && ./dev bench dashboard [--entries 100000] [--cold 50] [--cached 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

import asyncpg
import httpx
import redis.asyncio as aioredis

from _common import platform_doc, print_table, rss_mb, summary_ms
from productivity import PROJECTS, USER_ID, cold, cpu_seconds, seed, timed_get
from support.api import mint_identity

PROJECT = 9_100_000_000  # the bench user's first project (rate 80)
STATS = "/api/v1/dashboard/stats"
SPARKLINES = "/api/v1/dashboard/sparklines"
FORECAST = f"/api/v1/projects/{PROJECT}/forecast"
SUGGEST = "/api/v1/ai/suggest"


async def plan_projects(dsn: str) -> None:
    """Give the bench projects an estimate and a budget, so every forecast figure is
    computed (the seed of bench/productivity.py leaves them without a plan)."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "UPDATE projects SET estimated_hours = 2000, budget_amount = 150000, "
            "budget_threshold_percent = 80 WHERE id >= $1 AND id < $2",
            PROJECT,
            PROJECT + PROJECTS,
        )
    finally:
        await conn.close()


async def repeated(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], n: int
) -> list[float]:
    return [await timed_get(client, path, headers) for _ in range(n)]


async def main(args: argparse.Namespace) -> None:
    doc = platform_doc()
    secrets = json.loads(Path(doc["secrets_file"]).read_text())  # noqa: ASYNC240 (once, at start)
    base = doc["services"]["productivity"][0]
    dsn = doc["postgres"]["dsn"]["productivity"]
    seeded_in = await seed(dsn, args.entries)
    await plan_projects(dsn)
    api_pid = int((Path(doc["state"]) / "pids" / "productivity.0.pid").read_text())
    redis = aioredis.from_url(f"{doc['redis_url']}/2")
    identity = mint_identity(
        secrets["identity_private_key"], user_id=USER_ID, username="bench", ttl=3600
    )
    headers = {"X-TT-Identity": identity}
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for path in (STATS, SPARKLINES, FORECAST, SUGGEST):  # warm-up
            await timed_get(client, path, headers)
        floor = await repeated(client, "/healthz", {}, args.cached)
        results: list[tuple[str, list[float], str]] = []
        cpu: dict[str, float] = {}
        for name, path in (("stats", STATS), ("sparklines", SPARKLINES)):
            cpu0 = cpu_seconds(api_pid)
            results.append(
                (
                    f"{name} cold",
                    await cold(client, redis, path, headers, args.cold),
                    "p95 <= 20 ms",
                )
            )
            cpu[name] = (cpu_seconds(api_pid) - cpu0) / args.cold
        cpu0 = cpu_seconds(api_pid)
        refreshed = await repeated(client, f"{FORECAST}?refresh=true", headers, args.cold)
        cpu["forecast"] = (cpu_seconds(api_pid) - cpu0) / args.cold
        results.append(("forecast cold (refresh=true)", refreshed, "p95 <= 20 ms"))
        cpu0 = cpu_seconds(api_pid)
        results.append(
            (
                "suggest (never cached)",
                await repeated(client, SUGGEST, headers, args.cold),
                "p95 <= 20 ms",
            )
        )
        cpu["suggest"] = (cpu_seconds(api_pid) - cpu0) / args.cold
        results.append(
            (
                "suggest q=project 3",
                await repeated(client, f"{SUGGEST}?q=project%203", headers, args.cold),
                "",
            )
        )
        for name, path in (("stats", STATS), ("sparklines", SPARKLINES), ("forecast", FORECAST)):
            await timed_get(client, path, headers)
            results.append(
                (f"{name} cached", await repeated(client, path, headers, args.cached), "")
            )
    await redis.aclose()

    print(f"user with {args.entries} entries (seeded in {seeded_in:.1f}s; 0 = reused)")
    rows = [{"measure": "GET /healthz (floor)", **summary_ms(floor), "target": ""}]
    rows += [{"measure": name, **summary_ms(values), "target": t} for name, values, t in results]
    print_table("latency (ms), straight to the service", rows)
    print_table(
        "API CPU per cold request (ms) and memory",
        [
            {
                **{k: round(v * 1000, 2) for k, v in cpu.items()},
                "api RSS MB": round(rss_mb(api_pid), 1),
            }
        ],
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--cold", type=int, default=50)
    parser.add_argument("--cached", type=int, default=300)
    asyncio.run(main(parser.parse_args()))
