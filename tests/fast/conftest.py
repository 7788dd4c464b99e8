"""The fast tier: service-level tests of rules, use cases and repositories on a real
PostgreSQL and nothing else (no Redis, Kafka, gateway or service process).

The session starts a throw-away PostgreSQL through the platform's own start-up code
(``tt.devenv.scratch``: ``.tt/fast``, port ``TT_PORT_BASE`` + 433, base 28000 by default),
or uses the test platform's when ``TT_PLATFORM_FILE`` names one (``./dev test``), and
migrates a scratch database per service with that service's Alembic migrations. A test
under ``tests/fast/<service>/`` that asks for ``session`` (or ``sessions``) works in that
service's database inside a transaction rolled back after it, so it sees only its own
rows and leaves none behind. Tests that ask for neither start nothing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from support.platform import PlatformInfo
from support.rollback import rolled_back, sessions_on
from tt.common.topics import Catalogue, load_catalogue
from tt.devenv.layout import REPO
from tt.devenv.scratch import PostgresServer, fast_layout, scratch_databases, throwaway_postgres

FAST = Path(__file__).resolve().parent
# The database each folder's tests work in. tt.common's own tables (outbox, consumed
# versions) are in every service's database: its tests use the time service's.
DATABASE_OF_FOLDER = {
    "auth": "auth",
    "time": "time",
    "productivity": "productivity",
    "search": "search",
    "webhooks": "webhooks",
    "common": "time",
}
DATABASE_FIXTURES = frozenset({"session", "sessions", "connection"})


def database_of(path: Path) -> str:
    """The service database of the tests in ``path`` (a file under tests/fast/<folder>/)."""
    folder = path.resolve().relative_to(FAST).parts[0]
    return DATABASE_OF_FOLDER[folder]


@pytest.fixture(scope="session")
def postgres(request: pytest.FixtureRequest) -> Iterator[PostgresServer]:
    """The test platform's PostgreSQL if one is running, else a throw-away one (whose log
    is kept in test-artifacts/fast-logs when a test failed)."""
    platform_file = os.environ.get("TT_PLATFORM_FILE")
    if platform_file:
        platform = PlatformInfo.load(platform_file)
        pg = platform.doc["postgres"]
        yield PostgresServer(pg["host"], pg["port"], platform.secrets["pg_superuser_password"])
        return
    layout = fast_layout()
    with throwaway_postgres(layout) as server:
        yield server
        if request.session.testsfailed:
            kept = REPO / "test-artifacts" / "fast-logs"
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(layout.logs, kept)


@pytest.fixture(scope="session")
def databases(request: pytest.FixtureRequest, postgres: PostgresServer) -> Iterator[dict[str, str]]:
    """service -> URL of its migrated scratch database, for each service whose tests in
    this session use a database (migrating only those keeps a one-folder run short)."""
    wanted = sorted(
        {
            database_of(item.path)
            for item in request.session.items
            if FAST in item.path.resolve().parents
            and DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        }
    )
    with scratch_databases(postgres, wanted) as urls:
        yield urls


@pytest.fixture(scope="session")
async def engines(databases: dict[str, str]) -> AsyncIterator[dict[str, AsyncEngine]]:
    engines = {service: create_async_engine(url, pool_size=2) for service, url in databases.items()}
    yield engines
    for engine in engines.values():
        await engine.dispose()


@pytest.fixture
async def connection(
    request: pytest.FixtureRequest, engines: dict[str, AsyncEngine]
) -> AsyncIterator[AsyncConnection]:
    """A connection to this folder's service database, in a transaction rolled back after
    the test."""
    async with rolled_back(engines[database_of(request.path)]) as connection:
        yield connection


@pytest.fixture
def sessions(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    """A session factory on the test's connection, for code that opens its own sessions
    or units of work (their commits stay inside the test's transaction)."""
    return sessions_on(connection)


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session in the test's transaction, as a request's unit of work hands one to the
    service layer."""
    async with sessions() as session:
        yield session


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The platform's topics (deploy/kafka/topics.yaml), which the outbox files events by."""
    return load_catalogue(str(REPO / "deploy" / "kafka" / "topics.yaml"))
