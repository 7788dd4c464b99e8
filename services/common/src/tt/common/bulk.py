# ruff: noqa: S608 -- the SQL is assembled from names in the code; every value is bound.
"""Set-based writes for consumers: a whole batch of rows in one statement.

Rows travel as one array per column and are expanded by ``unnest`` on the server, so a
statement's text is the same for every batch: SQLAlchemy compiles it once and asyncpg
prepares it once, whatever the batch size.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import TextClause, text

Columns = Sequence[tuple[str, str]]
"""(column name, PostgreSQL type) pairs; the names are also the bind parameters."""


def unnest_select(columns: Columns) -> str:
    """``SELECT * FROM unnest(CAST(:a AS t[]), ...) AS batch(a, ...)``: the rows of a batch
    as a relation whose columns have the columns' names."""
    arrays = ", ".join(f"CAST(:{name} AS {sql_type}[])" for name, sql_type in columns)
    names = ", ".join(name for name, _ in columns)
    return f"SELECT * FROM unnest({arrays}) AS batch({names})"


def unnest_upsert(
    table: str,
    columns: Columns,
    key: Sequence[str],
    *,
    add: bool = False,
    also_set: str = "",
) -> TextClause:
    """``INSERT INTO table (columns) SELECT FROM unnest(...) ON CONFLICT (key) DO UPDATE``:
    every non-key column is replaced, or with ``add`` added to the held value (aggregates).
    ``also_set`` appends assignments (``updated_at = now()``). The rows must have distinct
    keys (PostgreSQL refuses to update one row twice in a statement)."""
    names = [name for name, _ in columns]
    updates = [
        f"{name} = {table}.{name} + excluded.{name}" if add else f"{name} = excluded.{name}"
        for name in names
        if name not in key
    ]
    if also_set:
        updates.append(also_set)
    return text(
        f"INSERT INTO {table} ({', '.join(names)}) {unnest_select(columns)} "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {', '.join(updates)}"
    )


def as_arrays(columns: Columns, rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """The bind parameters of an ``unnest_upsert``: one list per column."""
    return {name: [row[name] for row in rows] for name, _ in columns}
