"""Keep entry counts and work totals with statement-level triggers (transition tables):
one aggregate per statement instead of two upserts per row, so bulk writes (CSV imports,
bulk actions, seeding) cost one pass, and single-row writes about the same as before.

Revision ID: 0003
Revises: 0002
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _side(table: str, sign: int) -> str:
    """One row per entry on one side of the change: +1 for new rows, -1 for old ones."""
    return f"""
        SELECT user_id, project_id, task_id, {sign} AS n,
               (end_time IS NULL)::int AS running,
               CASE WHEN end_time IS NULL THEN 0 ELSE coalesce(duration_seconds, 0) END AS secs,
               billable
        FROM {table}"""  # noqa: S608 (literal tables and signs, no input)


def _apply(changes: str) -> str:
    # Upserts in key order (users, then projects, then tasks) so concurrent writers
    # never wait on each other in a cycle; rows whose deltas cancel out are skipped.
    return f"""
        INSERT INTO entry_counts AS c (user_id, total, active)
        SELECT user_id, sum(n), sum(n * running) FROM ({changes}) AS d
        GROUP BY user_id
        HAVING sum(n) <> 0 OR sum(n * running) <> 0
        ORDER BY user_id
        ON CONFLICT (user_id) DO UPDATE
        SET total = c.total + EXCLUDED.total, active = c.active + EXCLUDED.active;

        INSERT INTO work_totals AS w (kind, ref_id, seconds, billable_seconds)
        SELECT kind, ref_id, sum(secs), sum(bill) FROM (
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
        ON CONFLICT (kind, ref_id) DO UPDATE
        SET seconds = w.seconds + EXCLUDED.seconds,
            billable_seconds = w.billable_seconds + EXCLUDED.billable_seconds;"""  # noqa: S608


FUNCTION = f"""
CREATE FUNCTION tt_apply_entry_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_apply(_side("new_rows", 1))}
    ELSIF TG_OP = 'DELETE' THEN
        {_apply(_side("old_rows", -1))}
    ELSE
        {_apply(_side("old_rows", -1) + " UNION ALL " + _side("new_rows", 1))}
    END IF;
    RETURN NULL;
END $$
"""

TRIGGERS = [
    "CREATE TRIGGER time_entries_totals_insert AFTER INSERT ON time_entries "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION tt_apply_entry_changes()",
    "CREATE TRIGGER time_entries_totals_update AFTER UPDATE ON time_entries "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION tt_apply_entry_changes()",
    "CREATE TRIGGER time_entries_totals_delete AFTER DELETE ON time_entries "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION tt_apply_entry_changes()",
]

ROW_LEVEL_FUNCTIONS = (
    "tt_time_entries_totals()",
    "tt_move_work(text, bigint, bigint, bigint, bigint, bigint, bigint)",
    "tt_add_work(text, bigint, bigint, bigint)",
    "tt_add_count(bigint, bigint, bigint)",
)


def upgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS time_entries_totals ON time_entries")
    for fn in ROW_LEVEL_FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    op.execute(FUNCTION)
    for trigger in TRIGGERS:
        op.execute(trigger)


def downgrade() -> None:
    for name in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS time_entries_totals_{name} ON time_entries")
    op.execute("DROP FUNCTION IF EXISTS tt_apply_entry_changes()")
    # Back to 0002's row-level trigger, as that revision defines it.
    path = Path(__file__).with_name("0002_time_core.py")
    spec = importlib.util.spec_from_file_location("tt_time_0002", path)
    assert spec is not None
    assert spec.loader is not None
    previous = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(previous)
    for statement in previous.TOTALS_TRIGGER:
        op.execute(statement)
