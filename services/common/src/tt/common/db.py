"""Async SQLAlchemy engine, the declarative bases' conventions, and the unit of work.

Services never commit inside their service layer: the unit of work (a request, or one
consumed event) commits once at the end, so state and outbox rows land together.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg
from sqlalchemy import BigInteger, DateTime, MetaData, event, exc, func
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from tt.common.settings import PlatformSettings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


TYPES = {datetime: DateTime(timezone=True), int: BigInteger}


class PlatformBase(DeclarativeBase):
    """The tables this library keeps in every service's database (outbox, parked outbox,
    consumed versions, idempotency keys). A service's own tables go on its own base
    (``tt.<service>.base.Base``, a metadata of its own): services may name tables alike
    (``users``), and one process (the test suite) loads the models of several services."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = TYPES


class Timestamped:
    """``created_at``/``updated_at`` kept by the database."""

    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


# A pooled connection that sat idle longer than this is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 5.0
_CHECKED_IN = "tt_checked_in"


def create_engine(
    settings: PlatformSettings, *, application_name: str | None = None, **overrides: Any
) -> AsyncEngine:
    """The service's engine; pool sizes from settings, connections checked before use
    (``check_connections_on_checkout``, which also replaces those PostgreSQL closed for
    idling). Its sessions carry ``application_name`` (the service's name by default), so
    ``pg_stat_activity`` tells which process each backend serves."""
    server_settings = {
        "application_name": application_name or settings.service_name,
        # No JIT compilation: our statements run in milliseconds, and compiling one costs
        # ~170 ms. PostgreSQL compiles any plan estimated above jit_above_cost, and a
        # search's generic plan crossed it when an auto-analyze re-planned it: each
        # search then spent 166 of its 174 ms compiling, and at 20 searches/s the
        # database took both CPUs until the load stopped.
        "jit": "off",
        "plan_cache_mode": settings.db_plan_cache_mode,
        "idle_session_timeout": str(settings.db_idle_session_timeout_seconds * 1000),
    }
    options: dict[str, Any] = {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout_seconds,
        # Most recently used first: the connections a quiet spell leaves unused stay
        # unused, and PostgreSQL's idle_session_timeout closes them.
        "pool_use_lifo": True,
        "connect_args": {
            "timeout": 5,
            "command_timeout": 30,
            "server_settings": server_settings,
        },
    }
    options.update(overrides)
    engine = create_async_engine(settings.database_url, **options)
    if not options.get("pool_pre_ping"):
        check_connections_on_checkout(engine)
    return engine


def check_connections_on_checkout(
    engine: AsyncEngine, idle_seconds: float = PING_AFTER_IDLE_SECONDS
) -> None:
    """Hand out only live connections, more cheaply than ``pool_pre_ping``: that pings every
    checkout, three round trips on asyncpg (BEGIN, ``;``, ROLLBACK), about as much as the
    statement a hot read came for. Here a connection whose socket asyncpg saw close (a
    PostgreSQL restart or a terminated backend) is replaced at once, and only one that sat
    idle longer than ``idle_seconds`` (a silently dropped peer) is pinged; a busy pool hands
    out its connections without a round trip."""
    pool = engine.sync_engine.pool

    @event.listens_for(pool, "checkin")
    def _checked_in(_: Any, record: Any) -> None:
        if record is not None:
            record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _: Any) -> None:
        driver = getattr(dbapi_connection, "driver_connection", None)
        if driver is not None and driver.is_closed():
            raise exc.DisconnectionError("the connection was closed")
        idle_since = record.info.get(_CHECKED_IN)
        if idle_since is None or time.monotonic() - idle_since <= idle_seconds:
            return  # new, or in use a moment ago
        try:
            dbapi_connection.ping()
        except Exception as error:  # any failure: the pool replaces the connection
            raise exc.DisconnectionError(str(error)) from error


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (we serialise after it)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def unit_of_work(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One transaction: commit if the block succeeds, roll back if it raises."""
    async with factory() as session, session.begin():
        yield session


async def driver(session: AsyncSession) -> Any:
    """The asyncpg connection under ``session``, for hot statements without SQLAlchemy's
    per-statement work. The driver begins the session's transaction lazily, at the first
    statement sent through SQLAlchemy: until then each statement on this connection
    commits on its own, so a write sent here must be one statement (as
    ``Outbox.publish_with``'s are) unless the transaction has begun."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


# Errors after which a connection cannot be trusted any more: it leaves the pool. (An
# InternalClientError is asyncpg having lost its protocol state: the fault drill saw one
# on a pooled connection after PostgreSQL restarted, repeating until the process did.)
_BROKEN = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    OSError,
)


@asynccontextmanager
async def raw_connection(engine: AsyncEngine) -> AsyncIterator[Any]:
    """A pooled asyncpg connection without a session or a transaction: each statement on it
    commits on its own. For the hot routes, whose answer is one statement (a read, or a
    write whose CTE also queues its outbox row): no ORM unit of work, no BEGIN/COMMIT, no
    SQLAlchemy per-row work. A connection that breaks leaves the pool."""
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        try:
            yield raw.driver_connection
        except _BROKEN:
            await conn.invalidate()
            raise
