"""Each service's models describe the tables its migrations built: Alembic's comparison of
the models (``tt.<service>.models``) with the migrated test database finds nothing to add,
drop or change. A model cannot drift from its migrations unnoticed, and a new migration
made with ``alembic revision --autogenerate`` holds only the change it is for."""

from __future__ import annotations

import asyncio
import importlib
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from support.platform import PlatformInfo
from tt.common.migrations import database_metadata

SERVICES = ("auth", "time", "productivity", "search", "webhooks")

# Alembic reflects an expression index without its COLLATE clause, so it always compares
# this one as changed (its definition: search migration 0003).
UNCOMPARABLE_INDEXES = {"ix_search_documents_match_key"}


def _name(difference: Any) -> str | None:
    # A difference is ("add_index", Index) and the like, or a list of column changes.
    if isinstance(difference, tuple) and difference[0].endswith("_index"):
        return str(difference[1].name)
    return None


def differences(platform: PlatformInfo, service: str) -> list[Any]:
    target = database_metadata(importlib.import_module(f"tt.{service}.models"))

    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, target))

    async def run() -> list[Any]:
        url = platform.dsn(service).replace("postgresql://", "postgresql+asyncpg://", 1)
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(compare)
        finally:
            await engine.dispose()

    found = asyncio.run(run())
    return [d for d in found if _name(d) not in UNCOMPARABLE_INDEXES]


@pytest.mark.parametrize("service", SERVICES)
def test_the_models_match_the_migrated_database(platform: PlatformInfo, service: str) -> None:
    assert differences(platform, service) == []
