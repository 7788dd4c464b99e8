"""Alembic helpers, so each service's ``env.py`` is three lines.

Every service's first migration calls ``create_platform_tables()`` for the tables that
``tt.common`` owns in each database (the outbox and the consumed-versions ledger).
"""

from __future__ import annotations

import asyncio
from types import ModuleType
from typing import Any

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from tt.common.db import NAMING, PlatformBase


def _event_columns() -> list[sa.Column[Any]]:
    """What an outbox row (pending or parked) holds of its event."""
    return [
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("traceparent", sa.String(55)),
        sa.Column("tombstone", sa.Boolean, nullable=False, server_default=sa.false()),
    ]


def create_platform_tables() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        *_event_columns(),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.create_index("ix_outbox_created_at", "outbox", ["created_at"])
    op.create_table(
        "consumed_versions",
        sa.Column("entity", sa.String(64), primary_key=True),
        sa.Column("entity_id", sa.String(200), primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
    )


def add_outbox_parking() -> None:
    """Outbox rows count their failed attempts and keep the last error; a row that keeps
    failing moves to ``outbox_parked`` so the rows behind it go on (``OutboxRelay``)."""
    op.add_column("outbox", sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
    op.add_column("outbox", sa.Column("last_error", sa.Text))
    op.create_table(
        "outbox_parked",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        *_event_columns(),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column(
            "parked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )


def drop_outbox_parking() -> None:
    op.drop_table("outbox_parked")
    op.drop_column("outbox", "last_error")
    op.drop_column("outbox", "attempts")


def drop_platform_tables() -> None:
    op.drop_table("consumed_versions")
    op.drop_table("outbox")


def database_metadata(models: ModuleType) -> MetaData:
    """Every table of a service's database, as its ``models`` module names them
    (``__all__``): the service's own (its ``Base``) and the platform's it keeps
    (``PlatformBase``: outbox, consumed versions, ...). One MetaData, not a list: Alembic
    names constraints by the target's naming convention."""
    target = MetaData(naming_convention=NAMING)
    for table in models.Base.metadata.tables.values():
        table.to_metadata(target)
    for name in models.__all__:
        table = getattr(getattr(models, name), "__table__", None)
        if table is not None and table.metadata is PlatformBase.metadata:
            table.to_metadata(target)
    return target


def run_migrations(target_metadata: MetaData, database_url: str) -> None:
    """Run Alembic online against ``database_url`` (async driver), or offline as SQL."""
    if context.is_offline_mode():
        context.configure(
            url=database_url, target_metadata=target_metadata, literal_binds=True, compare_type=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return

    def do_run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(database_url)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run_async())
