"""What the services need before they start: the ``tt`` role and one database per
service, every service's migrations, and the Kafka topics of ``deploy/kafka/topics.yaml``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import asyncpg

from tt.common.kafka import ensure_topics
from tt.common.topics import load_catalogue
from tt.devenv import infra
from tt.devenv.layout import REPO, Layout
from tt.devenv.migrations import migrate
from tt.devenv.procs import DevError
from tt.devenv.services import SERVICES


def provision(ctx: infra.Context, say: Callable[[str], None]) -> None:
    """Create the role and databases, then migrate every database and create the topics
    side by side (each is idempotent: a second ``up`` finds them done)."""
    t0 = time.monotonic()
    asyncio.run(create_databases(ctx))
    with ThreadPoolExecutor(len(SERVICES) + 1) as pool:
        topics = pool.submit(create_topics, ctx.layout)
        migrations = [pool.submit(migrate, ctx.layout, spec, ctx.secrets) for spec in SERVICES]
        for fut in [*migrations, topics]:
            fut.result()
    say(f"  databases, migrations and topics ready ({time.monotonic() - t0:.1f}s)")


async def create_databases(ctx: infra.Context) -> None:
    """The ``tt`` login role and each service's database, owned by it, if missing."""
    conn = await _connect_as_superuser(ctx)
    try:
        password = ctx.secrets["db_password"]
        if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = 'tt'"):
            await conn.execute(f"CREATE ROLE tt LOGIN PASSWORD '{password}'")
        for spec in SERVICES:
            exists = await conn.fetchval(
                "SELECT 1 FROM pg_database WHERE datname = $1", spec.database
            )
            if not exists:
                await conn.execute(f'CREATE DATABASE "{spec.database}" OWNER tt')
    finally:
        await conn.close()


async def _connect_as_superuser(ctx: infra.Context) -> Any:
    # PostgreSQL opens its port before it accepts sessions: retry for a while.
    deadline = time.monotonic() + 30
    while True:
        try:
            return await asyncpg.connect(
                host="127.0.0.1",
                port=ctx.layout.ports["postgres"],
                user="postgres",
                password=ctx.secrets["pg_superuser_password"],
                database="postgres",
            )
        except (OSError, asyncpg.CannotConnectNowError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


def create_topics(layout: Layout) -> None:
    """Every topic of the catalogue, retried while the broker is still starting."""
    catalogue = load_catalogue(str(REPO / "deploy" / "kafka" / "topics.yaml"))
    deadline = time.monotonic() + 60
    while True:
        try:
            asyncio.run(ensure_topics(layout.kafka_bootstrap, catalogue.all_specs()))
            return
        except Exception as exc:
            if time.monotonic() > deadline:
                raise DevError(f"creating Kafka topics failed: {exc}") from exc
            time.sleep(0.5)
