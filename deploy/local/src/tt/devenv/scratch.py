"""PostgreSQL alone, for the fast test tier (``tests/fast``, ``./dev test --fast``): a
throw-away server started by the platform's own start-up code (``infra``) in
``.tt/fast``, and scratch databases on it (or on a running platform's server), each
migrated by its service's Alembic migrations. No Redis, Kafka, gateway or service runs.
"""

from __future__ import annotations

import asyncio
import dataclasses
import fcntl
import secrets
import shutil
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import asyncpg

from tt.devenv import infra
from tt.devenv.install import ensure_postgres
from tt.devenv.layout import REPO, STATE_ROOT, Layout
from tt.devenv.procs import DevError, port_free, run
from tt.devenv.services import BY_NAME


@dataclass(frozen=True)
class PostgresServer:
    """Where a PostgreSQL server listens, and its superuser's password."""

    host: str
    port: int
    password: str

    def url(self, database: str) -> str:
        """The SQLAlchemy (asyncpg) URL of ``database``, as the superuser."""
        return f"postgresql+asyncpg://postgres:{self.password}@{self.host}:{self.port}/{database}"

    async def execute(self, *statements: str) -> None:
        """Run ``statements`` in the ``postgres`` database, one after the other."""
        conn = await self._connect()
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    async def _connect(self, patience: float = 30) -> asyncpg.Connection:
        # The port opens before PostgreSQL accepts sessions ("the database system is
        # starting up"): retry for a while, as the platform's start-up does.
        deadline = time.monotonic() + patience
        while True:
            try:
                return await asyncpg.connect(
                    host=self.host,
                    port=self.port,
                    user="postgres",
                    password=self.password,
                    database="postgres",
                )
            except (OSError, asyncpg.CannotConnectNowError):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)


def fast_layout() -> Layout:
    """The fast tier's folder, always ``.tt/fast`` (never ``TT_STATE_DIR``, which may name a
    running platform's), and its PostgreSQL on ``postgres-fast`` of ``TT_PORT_BASE`` (or
    base 28000): not the port of a platform that runs on the same base meanwhile."""
    layout = Layout.for_profile("fast", state=STATE_ROOT / "fast")
    ports = {**layout.ports, "postgres": layout.ports["postgres-fast"]}
    return dataclasses.replace(layout, ports=ports)


@contextmanager
def throwaway_postgres(layout: Layout) -> Iterator[PostgresServer]:
    """A fresh PostgreSQL server in ``layout``'s folder; stopped and deleted afterwards.
    Runs in one checkout take turns (they share the folder and the port)."""
    with _one_run_at_a_time(layout), _server_in(layout) as server:
        yield server


@contextmanager
def _one_run_at_a_time(layout: Layout) -> Iterator[None]:
    layout.state.parent.mkdir(parents=True, exist_ok=True)
    with (layout.state.parent / f"{layout.state.name}.lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another run using {layout.state}", file=sys.stderr)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@contextmanager
def _server_in(layout: Layout) -> Iterator[PostgresServer]:
    # A server an interrupted run left behind is ours (its pid file is in this folder).
    infra.stop_postgres(layout)
    _discard(layout)
    port = layout.ports["postgres"]
    if not port_free(port):
        raise DevError(
            f"port {port} (PostgreSQL of the fast tier) is in use by another program; "
            "pick another base with TT_PORT_BASE=<n>"
        )
    server = PostgresServer("127.0.0.1", port, secrets.token_urlsafe(18))
    try:
        infra.start_postgres_server(layout, ensure_postgres(), server.password)
        yield server
    finally:
        infra.stop_postgres(layout)
        _discard(layout)


def _discard(layout: Layout) -> None:
    data = layout.state / "postgres"
    if data.is_symlink():  # the data lives elsewhere (infra.postgres_dir)
        shutil.rmtree(data.resolve(), ignore_errors=True)
    shutil.rmtree(layout.state, ignore_errors=True)


def migrate(server: PostgresServer, databases: dict[str, str]) -> None:
    """Run each service's Alembic migrations on its database (service -> database name),
    one service after the other in one process: on a busy machine, a process per service
    spent most of its time importing what the others imported too."""
    env = {"TT_ENV": "test"}
    for service, database in databases.items():
        env[f"{BY_NAME[service].env_prefix}DATABASE_URL"] = server.url(database)
    run(
        [sys.executable, "-m", "tt.devenv.scratch", *databases],
        what=f"migrations of {', '.join(databases)}",
        env=env,
        cwd=REPO,
        timeout=600,
    )


def _upgrade(services: list[str]) -> None:
    """In the migrating process: ``alembic upgrade head`` of each service, on the database
    its ``TT_<NAME>_DATABASE_URL`` names."""
    from alembic import command
    from alembic.config import Config

    for service in services:
        command.upgrade(Config(str(REPO / "services" / service / "alembic.ini")), "head")


@contextmanager
def scratch_databases(server: PostgresServer, services: Iterable[str]) -> Iterator[dict[str, str]]:
    """A new database per service (``tt_fast_<service>_<random>``), migrated, as
    service -> URL; dropped afterwards."""
    suffix = uuid.uuid4().hex[:8]
    names = {service: f"tt_fast_{service}_{suffix}" for service in services}
    asyncio.run(server.execute(*(f'CREATE DATABASE "{name}"' for name in names.values())))
    try:
        if names:
            migrate(server, names)
        yield {service: server.url(name) for service, name in names.items()}
    finally:
        asyncio.run(
            server.execute(
                *(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in names.values())
            )
        )


if __name__ == "__main__":
    _upgrade(sys.argv[1:])
