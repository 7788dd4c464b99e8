"""Outbox relay throughput and latency: events committed with the outbox, relayed to Kafka,
applied by a consumer. Prints events/s from commit to consumer and the commit -> handler
latency (p50/p95/p99), at a steady rate and as a burst.

    ./dev up && ./dev bench outbox [--events 5000] [--rate 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import time
import uuid
from contextlib import suppress
from pathlib import Path

from sqlalchemy import select

from _common import platform_doc, print_table, summary_ms
from support.widgets import WidgetApplied, WidgetService, scratch_database, wait_for
from tt.common.kafka import ensure_topics


async def run_phase(
    service: WidgetService, events: int, rate: float | None, writers: int = 8
) -> dict[str, object]:
    ids = [f"b-{uuid.uuid4().hex[:12]}" for _ in range(events)]
    queue: asyncio.Queue[str] = asyncio.Queue()
    for wid in ids:
        queue.put_nowait(wid)
    interval = writers / rate if rate else 0.0
    started = time.time()

    async def writer() -> None:
        next_at = time.monotonic()
        while not queue.empty():
            wid = queue.get_nowait()
            await service.write(wid, 1)
            if interval:
                next_at += interval
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    await asyncio.gather(*(writer() for _ in range(writers)))
    committed = time.time()

    async def count() -> int | None:
        rows = await service.applied(ids[-1:])
        return 1 if rows else None

    await wait_for(count, timeout=300, interval=0.05, what="last event applied")
    async with service.sessions() as session:
        rows = list(
            (
                await session.execute(select(WidgetApplied).where(WidgetApplied.widget_id.in_(ids)))
            ).scalars()
        )
    latencies = [r.applied_at.timestamp() - r.committed_at for r in rows]
    last = max(r.applied_at.timestamp() for r in rows)
    stats = summary_ms(latencies)
    return {
        "phase": f"{rate:.0f}/s" if rate else "burst",
        "events": len(rows),
        "write/s": events / (committed - started),
        "delivered/s": len(rows) / (last - started),
        "p50 ms": stats["p50"],
        "p95 ms": stats["p95"],
        "p99 ms": stats["p99"],
        "max ms": stats["max"],
    }


def run_pipeline(url: str, bootstrap: str, role: str) -> None:
    """A child process running only the relay or only the consumer, as services deploy them."""

    async def serve() -> None:
        service = WidgetService(url, bootstrap)
        task = service.relay.run() if role == "relay" else service.consumer.run()
        with suppress(asyncio.CancelledError):
            await task

    asyncio.run(serve())


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=500.0)
    args = parser.parse_args()
    doc = platform_doc()
    secrets = json.loads(Path(doc["secrets_file"]).read_text())  # noqa: ASYNC240 - start-up
    async with scratch_database(
        doc["postgres"]["host"], doc["postgres"]["port"], secrets["pg_superuser_password"]
    ) as url:
        service = WidgetService(url, doc["kafka_bootstrap"])
        await ensure_topics(doc["kafka_bootstrap"], service.catalogue.all_specs())
        children = [
            multiprocessing.get_context("spawn").Process(
                target=run_pipeline, args=(url, doc["kafka_bootstrap"], role), daemon=True
            )
            for role in ("relay", "consumer")
        ]
        for child in children:
            child.start()
        try:
            await run_phase(service, 200, None)  # warm-up: connections, group join, backlog
            rows = [
                await run_phase(service, args.events, args.rate),
                await run_phase(service, args.events, None),
            ]
        finally:
            for child in children:
                child.terminate()
                child.join(10)
            await service.engine.dispose()
    print_table(
        "outbox -> Kafka -> consumer: commit to handler (writers, relay and consumer "
        "in three processes)",
        rows,
    )


if __name__ == "__main__":
    asyncio.run(main())
