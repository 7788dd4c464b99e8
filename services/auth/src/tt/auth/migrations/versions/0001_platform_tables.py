"""Platform tables: the outbox and the consumed-versions ledger.

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

from tt.common.migrations import create_platform_tables, drop_platform_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_platform_tables()


def downgrade() -> None:
    drop_platform_tables()
