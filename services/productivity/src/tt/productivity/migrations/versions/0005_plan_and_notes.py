"""Read-model columns the dashboard routes read: a project's plan (estimated hours,
budget, budget alert threshold) for the forecast, and an entry's notes and tags for the
suggestions. Nullable: rows written before the events carry them stay null.

Two covering indexes, so the forecast's 4-week window and the suggestions' scan of recent
entries are index-only: a new (project_id, start_time) one, and (user_id, start_time)
rebuilt with the columns the suggestions read (its key is unchanged for its other uses).

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUGGESTION_COLUMNS = ["project_id", "task_id", "local_start", "seconds"]


def upgrade() -> None:
    op.add_column("projects", sa.Column("estimated_hours", sa.Float(), nullable=True))
    op.add_column("projects", sa.Column("budget_amount", sa.Numeric(14, 2), nullable=True))
    op.add_column("projects", sa.Column("budget_threshold_percent", sa.Integer(), nullable=True))
    op.add_column("time_entries", sa.Column("notes", sa.Text(), nullable=True))
    op.add_column("time_entries", sa.Column("tags", sa.String(500), nullable=True))
    # The forecast's "last 4 weeks" of one project, across its users.
    op.create_index(
        "ix_time_entries_project_start_time",
        "time_entries",
        ["project_id", "start_time"],
        postgresql_include=["seconds", "client_id"],
    )
    op.drop_index("ix_time_entries_user_start_time", table_name="time_entries")
    op.create_index(
        "ix_time_entries_user_start_time",
        "time_entries",
        ["user_id", "start_time"],
        postgresql_include=SUGGESTION_COLUMNS,
    )


def downgrade() -> None:
    op.drop_index("ix_time_entries_user_start_time", table_name="time_entries")
    op.create_index("ix_time_entries_user_start_time", "time_entries", ["user_id", "start_time"])
    op.drop_index("ix_time_entries_project_start_time", table_name="time_entries")
    op.drop_column("time_entries", "tags")
    op.drop_column("time_entries", "notes")
    op.drop_column("projects", "budget_threshold_percent")
    op.drop_column("projects", "budget_amount")
    op.drop_column("projects", "estimated_hours")
