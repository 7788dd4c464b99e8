"""The event pipeline under volume: N time-entry events put on ``tt.time.entries`` at once,
then per consumer (productivity read model, search indexer, webhooks intake) the time until
its consumer group has committed past them, its drain rate, and its worker's CPU per event.

Targets (issue 17): productivity >= 2,000 events/s, search >= 3,000 events/s, webhooks
intake (no matching subscription) >= 5,000 events/s.

The events go straight to Kafka (as the relay would put them there after an import), for
a synthetic user far above real ids, so the figures are the consumers' own.

    ./dev up && ./dev bench pipeline [--events 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from _common import platform_doc, print_table
from tt.common.events import make_event

TOPIC = "tt.time.entries"
GROUPS = {  # consumer -> (group id, worker process)
    "productivity": ("productivity", "productivity-worker.0"),
    "search": ("tt.search.indexer", "search-worker.0"),
    "webhooks intake": ("webhooks", "webhooks-worker.0"),
}


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def publish(bootstrap: str, count: int) -> dict[int, int]:
    """Put ``count`` entry events on the topic; the end offsets they reach."""
    user_id = random.randrange(9_200_000_000_000, 9_300_000_000_000)
    first = random.randrange(9_300_000_000_000, 9_400_000_000_000)
    start = datetime.now(UTC) - timedelta(days=200)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, acks="all")
    await producer.start()
    try:
        pending = []
        for n in range(count):
            begin = start + timedelta(minutes=17 * n)
            event = make_event(
                source="/tt/bench",
                entity="time_entry",
                verb="created",
                entity_id=first + n,
                version=1,
                state={
                    "id": first + n,
                    "user_id": user_id,
                    "project_id": None,
                    "client_id": None,
                    "task_id": None,
                    "project": None,
                    "task": None,
                    "start_time": begin.isoformat(),
                    "end_time": (begin + timedelta(minutes=15)).isoformat(),
                    "duration_seconds": 900,
                    "break_seconds": 0,
                    "paused_at": None,
                    "notes": f"bench entry {n}",
                    "tags": "bench",
                    "billable": True,
                },
            )
            pending.append(await producer.send(TOPIC, event.to_json(), key=str(first + n).encode()))
        await asyncio.gather(*pending)
        parts = [TopicPartition(TOPIC, p) for p in producer.partitions_for(TOPIC) or []]
    finally:
        await producer.stop()
    return {tp.partition: offset for tp, offset in (await _ends(bootstrap, parts)).items()}


async def _ends(bootstrap: str, parts: list[TopicPartition]) -> dict[TopicPartition, int]:
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        return dict(await consumer.end_offsets(parts))
    finally:
        await consumer.stop()


async def committed(admin: AIOKafkaAdminClient, group: str) -> dict[int, int]:
    offsets = await admin.list_consumer_group_offsets(group)
    return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == TOPIC}


async def main(args: argparse.Namespace) -> None:
    doc = platform_doc()
    bootstrap = doc["kafka_bootstrap"]
    pids = Path(doc["state"]) / "pids"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        workers = {name: int((pids / f"{p}.pid").read_text()) for name, (_, p) in GROUPS.items()}
        cpu0 = {name: cpu_seconds(pid) for name, pid in workers.items()}
        started = time.monotonic()
        ends = await publish(bootstrap, args.events)
        published = time.monotonic() - started
        done: dict[str, float] = {}
        cpu: dict[str, float] = {}
        deadline = started + args.timeout
        while len(done) < len(GROUPS) and time.monotonic() < deadline:
            for name, (group, _) in GROUPS.items():
                if name in done:
                    continue
                offsets = await committed(admin, group)
                if all(offsets.get(p, 0) >= end for p, end in ends.items()):
                    done[name] = time.monotonic() - started
                    cpu[name] = cpu_seconds(workers[name]) - cpu0[name]
            await asyncio.sleep(0.1)
    finally:
        await admin.close()
    rows = []
    for name in GROUPS:
        seconds = done.get(name)
        rows.append(
            {
                "consumer": name,
                "events": args.events,
                "drained in s": round(seconds, 2) if seconds else f"> {args.timeout}",
                "events/s": round(args.events / seconds) if seconds else "-",
                "worker CPU ms/event": round(1000 * cpu[name] / args.events, 3)
                if name in cpu
                else "-",
            }
        )
    print(f"published {args.events} events in {published:.2f} s")
    print_table(f"drain of {args.events} entry events (publish start -> committed)", rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--timeout", type=float, default=600.0)
    asyncio.run(main(parser.parse_args()))
