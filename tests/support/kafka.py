"""Reading events back from Kafka in tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from tt.common.events import Event, parse_event


def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    """The current end of every partition of ``topic`` (to read only what comes after)."""

    async def run() -> dict[int, int]:
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            parts = [
                TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])
            ]
            if not parts:
                await consumer.force_metadata_update()
                parts = [
                    TopicPartition(topic, p)
                    for p in sorted(consumer.partitions_for_topic(topic) or [])
                ]
            ends = await consumer.end_offsets(parts)
            return {tp.partition: off for tp, off in ends.items()}
        finally:
            await consumer.stop()

    return asyncio.run(run())


def read_events(
    bootstrap: str,
    topic: str,
    *,
    since: dict[int, int] | None = None,
    until: Callable[[list[Event]], bool] | None = None,
    timeout: float = 15.0,
    raw: bool = False,
) -> list[Any]:
    """Events on ``topic`` after ``since`` offsets, until ``until(events)`` holds or timeout.

    Tombstones (null values) are skipped unless ``raw``; with ``raw`` the records are
    returned as ``(key, value, headers)`` tuples.
    """

    async def run() -> list[Any]:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, enable_auto_commit=False, isolation_level="read_committed"
        )
        await consumer.start()
        try:
            await consumer.force_metadata_update()
            parts = [
                TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])
            ]
            consumer.assign(parts)
            for tp in parts:
                if since is not None and tp.partition in since:
                    consumer.seek(tp, since[tp.partition])
                else:
                    await consumer.seek_to_beginning(tp)
            out: list[Any] = []
            events: list[Event] = []
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                batch = await consumer.getmany(timeout_ms=200)
                for records in batch.values():
                    for rec in records:
                        if raw:
                            out.append((rec.key, rec.value, rec.headers))
                        if rec.value is not None:
                            events.append(parse_event(rec.value))
                if until is not None and until(events):
                    break
                if until is None and not batch:
                    break
            return out if raw else events
        finally:
            await consumer.stop()

    return asyncio.run(run())


def publish(bootstrap: str, events: list[Event], *, topic: str | None = None) -> None:
    """Send events straight to Kafka as a publisher's relay would (key = subject).

    For consumer tests that need events no HTTP route produces (replays, old versions,
    poison records); the topic defaults to the one that carries the event's entity.
    """
    from aiokafka import AIOKafkaProducer

    from tt.common.topics import load_catalogue

    catalogue = load_catalogue("deploy/kafka/topics.yaml")

    async def run() -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, enable_idempotence=True, acks="all"
        )
        await producer.start()
        try:
            for event in events:
                name = topic or catalogue.for_entity(event.entity).name
                headers = [("traceparent", event.traceparent.encode())] if event.traceparent else []
                await producer.send_and_wait(
                    name, event.to_json(), key=event.subject.encode(), headers=headers
                )
        finally:
            await producer.stop()

    asyncio.run(run())


def publish_raw(bootstrap: str, topic: str, key: bytes, value: bytes | None) -> None:
    """Send one raw record (a poison event, a tombstone)."""
    from aiokafka import AIOKafkaProducer

    async def run() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait(topic, value, key=key)
        finally:
            await producer.stop()

    asyncio.run(run())
