"""Time-entry approvals.

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


def _timestamp(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    default = None if nullable else sa.func.now()
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable, server_default=default)


def upgrade() -> None:
    op.create_table(
        "time_entry_approvals",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("requested_by", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("request_comment", sa.Text),
        sa.Column("decision_comment", sa.Text),
        sa.Column("decided_by", sa.BigInteger),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        _timestamp("decided_at", nullable=True),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        _timestamp("created_at"),
        _timestamp("updated_at"),
    )
    op.execute(
        "CREATE INDEX ix_time_entry_approvals_user_id ON time_entry_approvals (user_id, id DESC)"
    )
    op.execute(
        "CREATE INDEX ix_time_entry_approvals_status ON time_entry_approvals (status, id DESC)"
    )
    op.create_table(
        "time_entry_approval_entries",
        sa.Column(
            "approval_id",
            sa.BigInteger,
            sa.ForeignKey(
                "time_entry_approvals.id",
                name="fk_time_entry_approval_entries_approval_id_time_entry_approvals",
                ondelete="CASCADE",
            ),
            primary_key=True,
        ),
        sa.Column(
            "entry_id",
            sa.BigInteger,
            sa.ForeignKey(
                "time_entries.id",
                name="fk_time_entry_approval_entries_entry_id_time_entries",
                ondelete="CASCADE",
            ),
            primary_key=True,
        ),
    )
    op.create_index(
        "ix_time_entry_approval_entries_entry_id", "time_entry_approval_entries", ["entry_id"]
    )


def downgrade() -> None:
    op.drop_table("time_entry_approval_entries")
    op.drop_table("time_entry_approvals")
