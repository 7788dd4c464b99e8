"""Cover the stats' window queries: (user_id, local_start) INCLUDE (seconds, billable,
project_id), so focus metrics and project totals are index-only scans.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_time_entries_user_local_start", table_name="time_entries")
    op.create_index(
        "ix_time_entries_user_local_start",
        "time_entries",
        ["user_id", "local_start"],
        postgresql_include=["seconds", "billable", "project_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_time_entries_user_local_start", table_name="time_entries")
    op.create_index("ix_time_entries_user_local_start", "time_entries", ["user_id", "local_start"])
