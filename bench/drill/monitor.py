"""Once a second during an episode: each consumer group's lag on the entries topic, the
time service's outbox backlog, and the webhook deliveries still pending. A source that
is down (the broker, the database) gives no sample until it is back."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

# The consumers of the entries topic and their groups (as the pipeline bench names them).
from pipeline import GROUPS, committed

CALL_TIMEOUT = 2.0


def group_lag(ends: dict[int, int], committed: dict[int, int]) -> int | None:
    """Records of the topic a group has yet to commit, or None when that is unknown: a
    partition that holds records but has no committed offset (missing, or -1) is, for a
    group that has been consuming all along, the broker not telling right after it
    restarted; counted from offset 0 it read as the topic's whole length."""
    lag = 0
    for partition, end in ends.items():
        done = committed.get(partition, -1)
        if done < 0:
            if end > 0:
                return None
            continue
        lag += max(0, end - done)
    return lag


@dataclass
class Sample:
    at: float  # time.monotonic()
    lag: dict[str, int | None]  # consumer -> messages behind; None: could not tell
    outbox: int | None  # the time service's unsent events
    pending: int | None  # webhook deliveries of this episode not yet delivered


@dataclass
class Monitor:
    bootstrap: str
    topic: str
    dsn: dict[str, str]
    subscriptions: list[int] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    _admin: AIOKafkaAdminClient | None = None
    _consumer: AIOKafkaConsumer | None = None
    _parts: list[TopicPartition] = field(default_factory=list)
    _conns: dict[str, Any] = field(default_factory=dict)

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                started = time.monotonic()
                lag, outbox, pending = await asyncio.gather(
                    self._lag(), self._count("time", OUTBOX), self._pending()
                )
                self.samples.append(Sample(started, lag, outbox, pending))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        stop.wait(), max(0.05, 1.0 - (time.monotonic() - started))
                    )
        finally:
            await self.close()

    async def _lag(self) -> dict[str, int | None]:
        unknown: dict[str, int | None] = dict.fromkeys(GROUPS)
        try:
            if self._admin is None or self._consumer is None:
                await self._connect()
            assert self._admin is not None
            assert self._consumer is not None
            ends = await asyncio.wait_for(self._consumer.end_offsets(self._parts), CALL_TIMEOUT)
            out: dict[str, int | None] = {}
            for name, (group, _) in GROUPS.items():
                done = await asyncio.wait_for(committed(self._admin, group), CALL_TIMEOUT)
                out[name] = group_lag({tp.partition: end for tp, end in ends.items()}, done)
            return out
        except Exception:  # the broker is down or restarting: no sample, reconnect
            await self._close_kafka()
            return unknown

    async def _connect(self) -> None:
        self._admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=2000)
        self._consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, request_timeout_ms=2000)
        await asyncio.wait_for(self._admin.start(), CALL_TIMEOUT)
        await asyncio.wait_for(self._consumer.start(), CALL_TIMEOUT)
        (described,) = await asyncio.wait_for(
            self._admin.describe_topics([self.topic]), CALL_TIMEOUT
        )
        self._parts = [TopicPartition(self.topic, p["partition"]) for p in described["partitions"]]

    async def _close_kafka(self) -> None:
        admin, consumer, self._admin, self._consumer = self._admin, self._consumer, None, None
        for client in (admin, consumer):
            if client is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(client.close() if client is admin else client.stop(), 3)

    async def _count(self, service: str, sql: str, *args: Any) -> int | None:
        try:
            conn = self._conns.get(service)
            if conn is None or conn.is_closed():
                conn = self._conns[service] = await asyncio.wait_for(
                    asyncpg.connect(self.dsn[service]), CALL_TIMEOUT
                )
            return int(await asyncio.wait_for(conn.fetchval(sql, *args), CALL_TIMEOUT))
        except Exception:  # the database is down or restarting: no sample, reconnect
            conn = self._conns.pop(service, None)
            if conn is not None:
                conn.terminate()
            return None

    async def _pending(self) -> int | None:
        if not self.subscriptions:
            return 0
        return await self._count("webhooks", PENDING, self.subscriptions)

    async def close(self) -> None:
        await self._close_kafka()
        for conn in self._conns.values():
            conn.terminate()
        self._conns.clear()


OUTBOX = "SELECT count(*) FROM outbox"
PENDING = (
    "SELECT count(*) FROM webhook_deliveries "
    "WHERE subscription_id = ANY($1::bigint[]) AND status = 'pending'"
)
