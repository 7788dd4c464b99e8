"""The event pipeline under volume: N time entries, then per consumer (productivity read
model, search indexer, webhooks intake) the time until its consumer group has committed
past their events, its drain rate, and its worker's CPU per event.

- ``--via csv`` (the default): one CSV import of N entries through the gateway, for a fresh
  user; also the import's answer time and the time from the answer until the read models
  (productivity's entries, search's documents) hold every entry.
- ``--via kafka``: the events go straight onto ``tt.time.entries`` (as the relay would put
  them), for a synthetic user: the consumers' own figures, without the import and relay.

Then the steady state: entries created one at a time through the gateway at a low rate
(``--rate``, default 20/s), and for each the time from the create's answer until
productivity's and search's read models hold it (relay, Kafka and consumer included;
polled every 5 ms).

Targets: productivity >= 2,000 events/s, search >= 3,000 events/s, webhooks
intake (no matching subscription) >= 5,000 events/s; after a 100k import, stats and
search reflect every entry <= 60 s after the answer; at 20 events/s, event -> searchable
p95 <= 100 ms and event -> stats p95 <= 150 ms.

  With ``--paused`` the consumer workers are stopped (SIGSTOP) while the events are
  published and timed from their resumption: their capacity, not the publisher's pace.

    ./dev up && ./dev bench pipeline [--events 100000] [--via csv|kafka [--paused]] [--rate 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from _common import admin_client, bench_user, platform_doc, print_table, summary_ms, synthetic_event
from support.api import Users
from tt.common.contracts.time import TIME_ENTRY_CREATED

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
            event = synthetic_event(
                TIME_ENTRY_CREATED,
                first + n,
                user_id=user_id,
                start_time=begin.isoformat(),
                end_time=(begin + timedelta(minutes=15)).isoformat(),
                duration_seconds=900,
                notes=f"bench entry {n}",
                tags="bench",
                billable=True,
            )
            pending.append(await producer.send(TOPIC, event.to_json(), key=str(first + n).encode()))
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    parts = await _partitions(bootstrap)
    return {tp.partition: offset for tp, offset in (await _ends(bootstrap, parts)).items()}


def import_csv(doc: dict[str, Any], count: int) -> tuple[int, float]:
    """A fresh user imports ``count`` entries in one CSV; (their id, the answer's seconds)."""
    user = Users(doc["gateway_url"], doc["admin"]["token"]).create()
    project = user.api.post("/api/v1/projects", json={"name": "pipeline bench"})
    project.raise_for_status()
    project_id = project.json()["project"]["id"]
    base = datetime(2024, 1, 1, tzinfo=UTC)
    lines = ["project_id,start_time,end_time,notes,billable"]
    for n in range(count):
        start = base + timedelta(minutes=7 * n)
        end = start + timedelta(minutes=5)
        lines.append(f"{project_id},{start:%Y-%m-%dT%H:%M:%SZ},{end:%Y-%m-%dT%H:%M:%SZ},n{n},true")
    body = ("\n".join(lines) + "\n").encode()
    started = time.monotonic()
    answer = user.api.post(
        "/api/v1/time-entries/import-csv",
        content=body,
        headers={"Content-Type": "text/csv"},
        timeout=600,
    )
    answered = time.monotonic() - started
    answer.raise_for_status()
    return user.id, answered


class ReadModels:
    """How many of a user's entries productivity's and search's read models hold."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self._dsn = doc["postgres"]["dsn"]
        self._conns: dict[str, asyncpg.Connection] = {}

    async def counts(self, user_id: int) -> dict[str, int]:
        queries = {
            "productivity": "SELECT count(*) FROM time_entries WHERE user_id = $1",
            "search": "SELECT count(*) FROM search_documents "
            "WHERE kind = 'entry' AND owner_id = $1",
        }
        out = {}
        for name, sql in queries.items():
            if name not in self._conns:
                self._conns[name] = await asyncpg.connect(self._dsn[name])
            out[name] = int(await self._conns[name].fetchval(sql, user_id))
        return out

    async def close(self) -> None:
        for conn in self._conns.values():
            await conn.close()


async def steady_state(doc: dict[str, Any], rate: float, seconds: float) -> dict[str, list[float]]:
    """Create entries at ``rate``/s for ``seconds``; per read model, the seconds from each
    create's answer until the model holds the entry."""
    with admin_client(doc) as api:
        _, token = bench_user(api, "bench-pipeline", ["write:time_entries", "write:projects"])
    dsn = doc["postgres"]["dsn"]
    queries = {
        "productivity": "SELECT id FROM time_entries WHERE id = ANY($1::bigint[])",
        "search": "SELECT entity_id FROM search_documents "
        "WHERE kind = 'entry' AND entity_id = ANY($1::bigint[])",
    }
    conns = {name: await asyncpg.connect(dsn[name]) for name in queries}
    waiting: dict[str, dict[int, float]] = {name: {} for name in queries}
    seen: dict[str, list[float]] = {name: [] for name in queries}
    sending = True

    async def poll() -> None:
        while sending or any(waiting.values()):
            for name, sql in queries.items():
                if waiting[name]:
                    for (entity_id,) in await conns[name].fetch(sql, list(waiting[name])):
                        seen[name].append(time.monotonic() - waiting[name].pop(entity_id))
            await asyncio.sleep(0.005)

    poller = asyncio.create_task(poll())
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=doc["gateway_url"], headers=headers) as client:
        project = await client.post("/api/v1/projects", json={"name": "steady state"})
        project.raise_for_status()
        project_id = project.json()["project"]["id"]
        start = datetime.now(UTC) - timedelta(days=3)
        began = time.monotonic()
        for n in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, began + n / rate - time.monotonic()))
            at = start + timedelta(minutes=3 * n)
            answer = await client.post(
                "/api/v1/time-entries",
                json={
                    "project_id": project_id,
                    "start_time": at.isoformat(),
                    "end_time": (at + timedelta(minutes=2)).isoformat(),
                    "notes": f"steady {n}",
                },
            )
            answer.raise_for_status()
            answered = time.monotonic()
            entry_id = int(answer.json()["time_entry"]["id"])
            for name in queries:
                waiting[name][entry_id] = answered
    sending = False
    await asyncio.wait_for(poller, timeout=60)
    for conn in conns.values():
        await conn.close()
    return seen


async def _partitions(bootstrap: str) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (topic,) = await admin.describe_topics([TOPIC])
        return [TopicPartition(TOPIC, p["partition"]) for p in topic["partitions"]]
    finally:
        await admin.close()


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
        if args.via == "csv":
            ends_before = await _ends(bootstrap, await _partitions(bootstrap))
            user_id, answered = await asyncio.to_thread(import_csv, doc, args.events)
            answer_at = time.monotonic()
            # The relay publishes after the answer: wait for the topic to hold them all.
            while True:
                ends = {
                    tp.partition: o for tp, o in (await _ends(bootstrap, list(ends_before))).items()
                }
                if sum(ends.values()) - sum(ends_before.values()) >= args.events:
                    break
                await asyncio.sleep(0.1)
            relayed = time.monotonic() - answer_at
        else:
            paused = list(workers.values()) if args.paused else []
            for pid in paused:  # the consumers wait (SIGSTOP) until every event is there
                os.kill(pid, signal.SIGSTOP)
            try:
                ends = await publish(bootstrap, args.events)
            finally:
                for pid in paused:
                    os.kill(pid, signal.SIGCONT)
            resumed = time.monotonic()
        published = time.monotonic() - started
        # Drain times count from when the events could be consumed: the import's answer
        # (the relay's time included), the start of the direct publish, or with --paused
        # the consumers' resumption (their capacity, not the publisher's pace).
        t0 = answer_at if args.via == "csv" else resumed if args.paused else started
        done: dict[str, float] = {}
        cpu: dict[str, float] = {}
        visible: dict[str, float] = {}
        models = ReadModels(doc)
        deadline = started + args.timeout
        while time.monotonic() < deadline and (
            len(done) < len(GROUPS) or (args.via == "csv" and len(visible) < 2)
        ):
            if args.via == "csv":
                for name, count in (await models.counts(user_id)).items():
                    if name not in visible and count >= args.events:
                        visible[name] = time.monotonic() - answer_at
            for name, (group, _) in GROUPS.items():
                if name in done:
                    continue
                offsets = await committed(admin, group)
                if all(offsets.get(p, 0) >= end for p, end in ends.items()):
                    done[name] = time.monotonic() - t0
                    cpu[name] = cpu_seconds(workers[name]) - cpu0[name]
            await asyncio.sleep(0.1)
        await models.close()
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
    if args.via == "csv":
        print(f"import of {args.events} entries answered in {answered:.2f} s; the relay had them")
        print(f"all on the topic {relayed:.2f} s after the answer")
        for name in ("productivity", "search"):
            seen = visible.get(name)
            print(
                f"{name} holds every entry {seen:.2f} s after the import's answer"
                if seen is not None
                else f"{name} does not hold every entry after {args.timeout} s"
            )
    print(f"{args.events} events on the topic {published:.2f} s after the start")
    start_of = (
        "the import's answer"
        if args.via == "csv"
        else "the consumers' resumption"
        if args.paused
        else "the publish's start"
    )
    print_table(f"drain of {args.events} entry events ({start_of} -> committed)", rows)
    if args.rate > 0:
        seen = await steady_state(doc, args.rate, args.seconds)
        print_table(
            f"steady state at {args.rate:g} entries/s through the gateway: "
            "create answered -> in the read model, ms",
            [
                {"read model": name, **{k: round(v, 1) for k, v in summary_ms(s).items()}}
                for name, s in seen.items()
            ],
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--via", choices=["csv", "kafka"], default="csv")
    parser.add_argument(
        "--paused",
        action="store_true",
        help="with --via kafka: stop the consumer workers while publishing, then time the drain",
    )
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--rate", type=float, default=20.0, help="steady-state entries/s (0: skip)")
    parser.add_argument("--seconds", type=float, default=15.0, help="steady-state duration")
    asyncio.run(main(parser.parse_args()))
