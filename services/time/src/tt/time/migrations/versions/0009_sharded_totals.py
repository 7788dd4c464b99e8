"""Spread each user's entry count and each project's and task's work totals over 16 rows
(``shard``, picked by the writing connection) and sum them on read.

With one row per user, every write to a user's entries updated that row and held its lock
until commit (outbox insert and WAL flush included): one user's creates ran one at a time,
about 50 per second however many requests were in flight. Now writers on different
connections update different rows; readers sum at most 16 rows through the primary key.

Revision ID: 0009
Revises: 0008
"""

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHARDS = 16
TABLES = {"entry_counts": "user_id", "work_totals": "kind, ref_id"}


def _revision_0003() -> ModuleType:
    path = Path(__file__).with_name("0003_statement_level_totals.py")
    spec = importlib.util.spec_from_file_location("tt_time_0003", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _apply(changes: str) -> str:
    # As 0003, keyed by shard too; still in key order so writers never deadlock.
    shard = f"(pg_backend_pid() % {SHARDS})::smallint"
    return f"""
        INSERT INTO entry_counts AS c (user_id, shard, total, active)
        SELECT user_id, {shard}, sum(n), sum(n * running) FROM ({changes}) AS d
        GROUP BY user_id
        HAVING sum(n) <> 0 OR sum(n * running) <> 0
        ORDER BY user_id
        ON CONFLICT (user_id, shard) DO UPDATE
        SET total = c.total + EXCLUDED.total, active = c.active + EXCLUDED.active;

        INSERT INTO work_totals AS w (kind, ref_id, shard, seconds, billable_seconds)
        SELECT kind, ref_id, {shard}, sum(secs), sum(bill) FROM (
            SELECT 'p' AS kind, project_id AS ref_id, n * secs AS secs,
                   CASE WHEN billable THEN n * secs ELSE 0 END AS bill
            FROM ({changes}) AS d WHERE project_id IS NOT NULL
            UNION ALL
            SELECT 't', task_id, n * secs, CASE WHEN billable THEN n * secs ELSE 0 END
            FROM ({changes}) AS d WHERE task_id IS NOT NULL
        ) AS x
        GROUP BY kind, ref_id
        HAVING sum(secs) <> 0 OR sum(bill) <> 0
        ORDER BY kind, ref_id
        ON CONFLICT (kind, ref_id, shard) DO UPDATE
        SET seconds = w.seconds + EXCLUDED.seconds,
            billable_seconds = w.billable_seconds + EXCLUDED.billable_seconds;"""  # noqa: S608


def _function(side: Callable[[str, int], str]) -> str:
    return f"""
CREATE OR REPLACE FUNCTION tt_apply_entry_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_apply(side("new_rows", 1))}
    ELSIF TG_OP = 'DELETE' THEN
        {_apply(side("old_rows", -1))}
    ELSE
        {_apply(side("old_rows", -1) + " UNION ALL " + side("new_rows", 1))}
    END IF;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    for table, key in TABLES.items():
        # Existing rows become shard 0; the table is locked for the change.
        op.execute(f"ALTER TABLE {table} ADD COLUMN shard smallint NOT NULL DEFAULT 0")
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT pk_{table}")
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY ({key}, shard)")
    op.execute(_function(_revision_0003()._side))


def downgrade() -> None:
    previous = _revision_0003()
    sums = {
        "entry_counts": "user_id, sum(total), sum(active)",
        "work_totals": "kind, ref_id, sum(seconds), sum(billable_seconds)",
    }
    for table, key in TABLES.items():
        op.execute(
            f"CREATE TEMPORARY TABLE folded ON COMMIT DROP AS "  # noqa: S608 (literals)
            f"SELECT {sums[table]} FROM {table} GROUP BY {key}"
        )
        op.execute(f"DELETE FROM {table}")  # noqa: S608
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT pk_{table}")
        op.execute(f"ALTER TABLE {table} DROP COLUMN shard")
        op.execute(f"INSERT INTO {table} SELECT * FROM folded")  # noqa: S608
        op.execute("DROP TABLE folded")
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY ({key})")
    op.execute(previous.FUNCTION.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
