"""``TT_TEST_INFRA=containers``: the infrastructure tests' PostgreSQL, Redis and Kafka as
containers started with testcontainers, instead of the servers ``./dev test`` runs.

The images are the ones docker-compose.yml uses (``TT_POSTGRES_IMAGE``,
``TT_REDIS_IMAGE``, ``TT_KAFKA_IMAGE``; public by default, local stand-ins on a machine
without a registry, as ``./dev test-compose`` passes them). Run with
``TESTCONTAINERS_RYUK_DISABLED=true`` where the Ryuk reaper image cannot be pulled:
every container is stopped at the end of the session here instead.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import redis
from aiokafka.admin import AIOKafkaAdminClient
from testcontainers.core.container import DockerContainer

from support.platform import PlatformInfo

POSTGRES_IMAGE = "postgres:15-bookworm"
REDIS_IMAGE = "redis:7-bookworm"
KAFKA_IMAGE = "apache/kafka:4.4.0"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _until(what: str, probe: Any, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            if probe():
                return
        except Exception as exc:  # the server is still starting
            last = exc
        time.sleep(0.5)
    raise AssertionError(f"{what} not ready after {timeout:.0f}s: {last}")


def _postgres(image: str, password: str) -> tuple[DockerContainer, int]:
    container = (
        DockerContainer(image)
        .with_env("POSTGRES_PASSWORD", password)
        .with_exposed_ports(5432)
        .with_command("postgres -c fsync=off -c synchronous_commit=off")
    )
    container.start()
    port = int(container.get_exposed_port(5432))

    async def connects() -> bool:
        conn = await asyncpg.connect(
            host="127.0.0.1", port=port, user="postgres", password=password, timeout=3
        )
        await conn.close()
        return True

    _until("PostgreSQL", lambda: asyncio.run(connects()))
    return container, port


def _redis(image: str) -> tuple[DockerContainer, int]:
    container = (
        DockerContainer(image)
        .with_exposed_ports(6379)
        .with_command("redis-server --protected-mode no --save '' --appendonly no")
    )
    container.start()
    port = int(container.get_exposed_port(6379))
    _until("Redis", lambda: redis.Redis(port=port, socket_timeout=2).ping())
    return container, port


def _kafka(image: str) -> tuple[DockerContainer, int]:
    # The broker must advertise the address the tests reach it on, so its host port is
    # chosen before it starts (a random mapped port is only known afterwards).
    port = _free_port()
    container = DockerContainer(image).with_bind_ports(9092, port)
    for key, value in {
        "CLUSTER_ID": "Ie0tSOvBQ1eZbtmGpmfShQ",
        "KAFKA_NODE_ID": "1",
        "KAFKA_PROCESS_ROLES": "broker,controller",
        "KAFKA_LISTENERS": "PLAINTEXT://:9092,CONTROLLER://:9093",
        "KAFKA_ADVERTISED_LISTENERS": f"PLAINTEXT://127.0.0.1:{port}",
        "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
        "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@localhost:9093",
        "KAFKA_NUM_PARTITIONS": "3",
        "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
        "KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS": "1",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
        "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR": "1",
        "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR": "1",
        "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
        "KAFKA_HEAP_OPTS": "-Xms64m -Xmx512m",
    }.items():
        container = container.with_env(key, value)
    container.start()

    async def answers() -> bool:
        admin = AIOKafkaAdminClient(bootstrap_servers=f"127.0.0.1:{port}", request_timeout_ms=3000)
        await admin.start()
        try:
            await admin.list_topics()
        finally:
            await admin.close()
        return True

    _until("Kafka", lambda: asyncio.run(answers()))
    return container, port


@contextmanager
def container_platform() -> Iterator[PlatformInfo]:
    """PostgreSQL, Redis and Kafka in containers, described like a test platform (without
    services: only the infrastructure tests run in this mode)."""
    images = {n: os.environ.get(f"TT_{n.upper()}_IMAGE") for n in ("postgres", "redis", "kafka")}
    password = secrets.token_urlsafe(16)
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="tt-containers-") as tmp:
        started: list[DockerContainer] = []
        stack.callback(lambda: [c.stop() for c in reversed(started)])
        pg, pg_port = _postgres(images.get("postgres") or POSTGRES_IMAGE, password)
        started.append(pg)
        cache, redis_port = _redis(images.get("redis") or REDIS_IMAGE)
        started.append(cache)
        broker, kafka_port = _kafka(images.get("kafka") or KAFKA_IMAGE)
        started.append(broker)
        secrets_file = Path(tmp) / "secrets.json"
        secrets_file.write_text(json.dumps({"pg_superuser_password": password}))
        doc = {
            "profile": "containers",
            "state": tmp,
            "kafka_bootstrap": f"127.0.0.1:{kafka_port}",
            "redis_url": f"redis://127.0.0.1:{redis_port}",
            "postgres": {"host": "127.0.0.1", "port": pg_port, "dsn": {}},
            "secrets_file": str(secrets_file),
            "services": {},
        }
        path = Path(tmp) / "platform.json"
        path.write_text(json.dumps(doc))
        yield PlatformInfo.load(path)
