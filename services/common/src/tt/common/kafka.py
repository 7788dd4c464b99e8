"""Kafka clients configured the one way the platform uses them, and trace-context helpers."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.helpers import create_ssl_context
from opentelemetry import propagate
from opentelemetry.context import Context

from tt.common.settings import KafkaAuthSettings
from tt.common.topics import TopicSpec

log = logging.getLogger("tt.kafka")


MAX_BATCH = 500  # records a consumer takes from one fetch (and applies in one transaction)


@dataclass(frozen=True)
class FetchMode:
    """How long the broker may hold a consumer's fetch, and how many bytes answer it
    before that (it answers at the end of the wait with whatever it has)."""

    wait_ms: int
    min_bytes: int


# Idle: a long poll, answered by the first record, so an idle consumer asks every 5 s
# (at 500 ms the idle platform's consumers and broker used a few % of a core) and a lone
# event is not delayed.
IDLE_FETCH = FetchMode(wait_ms=5_000, min_bytes=1)
# Busy: events that trickle in are gathered for up to 40 ms and applied as one batch (one
# event per batch cost each consumer ~5 ms of CPU; under a create load that was half the
# machine), and a backlog is answered at once. The wait must stay short: aiokafka keeps
# one fetch in flight per broker, for every partition it holds no records of, so a fetch
# held for a caught-up partition holds back the partitions with a backlog.
BUSY_FETCH = FetchMode(wait_ms=40, min_bytes=256 * 1024)
# Gathering: a steady stream of GATHER_FROM or more events per 40 ms (100/s and up) is
# gathered for 150 ms instead. Each batch costs its consumer, PostgreSQL and the broker
# about the same whatever its size, so under a saturating create load the four consumers'
# CPU per event fell to a quarter and the platform served ~50 % more creates; an event
# then waits up to 150 ms more, but only while that many come. A full batch (a backlog)
# goes back to the short wait, for the reason above.
GATHER_FETCH = FetchMode(wait_ms=150, min_bytes=256 * 1024)
GATHER_FROM = 4


def fetch_mode_after(records: int) -> FetchMode:
    """The fetch mode that suits the load a batch of ``records`` shows (0: none came for
    a while)."""
    if records == 0:
        return IDLE_FETCH
    if GATHER_FROM <= records < MAX_BATCH:
        return GATHER_FETCH
    return BUSY_FETCH


def client_options() -> dict[str, Any]:
    """The authentication options of every Kafka client (KafkaAuthSettings): none when
    no SASL user is configured."""
    auth = KafkaAuthSettings()
    if not auth.sasl_username:
        return {}
    options: dict[str, Any] = {
        "security_protocol": auth.security_protocol,
        "sasl_mechanism": auth.sasl_mechanism,
        "sasl_plain_username": auth.sasl_username,
        "sasl_plain_password": auth.sasl_password,
    }
    if auth.security_protocol == "SASL_SSL":
        options["ssl_context"] = create_ssl_context()
    return options


def create_producer(bootstrap: str) -> AIOKafkaProducer:
    """Idempotent, ``acks=all`` producer: a retried send never duplicates or reorders."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        enable_idempotence=True,
        acks="all",
        linger_ms=2,
        # Up to 256 KB per partition in one batch (default 16 KB): with 16 KB, a relay batch
        # of 500 events took some 20 produce round trips, as send() waits while a full
        # batch drains, and the relay was the slowest step of a large import.
        max_batch_size=262_144,
        request_timeout_ms=10_000,
        retry_backoff_ms=200,
        compression_type=None,
        **client_options(),
    )


def create_consumer(bootstrap: str, group_id: str, topics: Sequence[str]) -> AIOKafkaConsumer:
    """A group member that commits by hand, after its own transaction commits."""
    return AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_poll_records=MAX_BATCH,
        fetch_min_bytes=BUSY_FETCH.min_bytes,
        fetch_max_wait_ms=BUSY_FETCH.wait_ms,
        session_timeout_ms=10_000,
        heartbeat_interval_ms=3_000,
        **client_options(),
    )


def set_fetch_mode(consumer: AIOKafkaConsumer, mode: FetchMode) -> None:
    """Use ``mode`` from the next fetch on. aiokafka (0.14) has no setter; its fetcher
    reads these attributes for every fetch it sends, and tests/pipeline/test_fetch_mode.py
    fails if that stops being so."""
    fetcher = consumer._fetcher
    fetcher._fetch_max_wait_ms = mode.wait_ms
    fetcher._fetch_min_bytes = mode.min_bytes


def trace_context_from(traceparent: str | bytes | None) -> Context | None:
    """A context whose parent is the given W3C ``traceparent`` (None if there is none)."""
    if not traceparent:
        return None
    value = traceparent.decode() if isinstance(traceparent, bytes) else traceparent
    return propagate.extract({"traceparent": value})


def headers_traceparent(headers: Sequence[tuple[str, bytes]] | None) -> bytes | None:
    for name, value in headers or ():
        if name == "traceparent":
            return value
    return None


async def ensure_topics(bootstrap: str, specs: Sequence[TopicSpec]) -> list[str]:
    """Create the topics that do not exist yet; returns the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_options())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        if missing:
            try:
                await admin.create_topics(
                    [
                        NewTopic(s.name, s.partitions, s.replication_factor, topic_configs=s.config)
                        for s in missing
                    ]
                )
            except TopicAlreadyExistsError:
                log.info("topics created concurrently by another process")
        return [s.name for s in missing]
    finally:
        await admin.close()
