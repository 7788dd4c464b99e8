"""Kafka clients configured the one way the platform uses them, and trace-context helpers."""

from __future__ import annotations

import logging
from collections.abc import Sequence
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
        max_poll_records=500,
        # A long poll: the broker answers a fetch as soon as there is any record, and holds
        # it up to 500 ms when there is none, so an idle consumer costs two fetches a second
        # (not twenty) and a lone event is not delayed. Under load the backlog fills whole
        # fetches anyway, and the set-based handlers apply them in a few statements.
        fetch_min_bytes=1,
        fetch_max_wait_ms=500,
        session_timeout_ms=10_000,
        heartbeat_interval_ms=2_000,
        **client_options(),
    )


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
