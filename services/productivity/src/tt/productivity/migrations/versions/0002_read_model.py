"""Read model: users, clients, projects, time entries, and per-user aggregates.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(14, 2)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("username", sa.String(200)),
        sa.Column("timezone", sa.String(100)),
        sa.Column("default_hourly_rate", MONEY),
        sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("known", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "clients",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("default_hourly_rate", MONEY),
        sa.Column("currency", sa.String(3)),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("client_id", sa.BigInteger),
        sa.Column("hourly_rate", MONEY),
        sa.Column("currency", sa.String(3)),
        sa.Column("status", sa.String(32)),
    )
    op.create_table(
        "time_entries",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("project_id", sa.BigInteger),
        sa.Column("client_id", sa.BigInteger),
        sa.Column("task_id", sa.BigInteger),
        sa.Column("project_name", sa.String(300)),
        sa.Column("task_name", sa.String(300)),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_time", sa.DateTime(timezone=True)),
        sa.Column("local_start", sa.DateTime(timezone=False), nullable=False),
        sa.Column("seconds", sa.BigInteger),
        sa.Column("break_seconds", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("paused_at", sa.DateTime(timezone=True)),
        sa.Column("billable", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    op.create_index("ix_time_entries_user_local_start", "time_entries", ["user_id", "local_start"])
    op.create_index("ix_time_entries_user_start_time", "time_entries", ["user_id", "start_time"])
    op.create_index("ix_time_entries_start_time", "time_entries", ["start_time"])
    op.create_index(
        "ix_time_entries_running",
        "time_entries",
        ["user_id"],
        postgresql_where=sa.text("end_time IS NULL"),
    )
    op.create_table(
        "user_days",
        sa.Column("user_id", sa.BigInteger, primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("seconds", sa.BigInteger, nullable=False),
        sa.Column("billable_seconds", sa.BigInteger, nullable=False),
        sa.Column("entries", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "user_rate_groups",
        sa.Column("user_id", sa.BigInteger, primary_key=True),
        sa.Column("project_id", sa.BigInteger, primary_key=True),
        sa.Column("client_id", sa.BigInteger, primary_key=True),
        sa.Column("seconds", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for table in ("user_rate_groups", "user_days", "time_entries", "projects", "clients", "users"):
        op.drop_table(table)
