"""Per-token rate-limit overrides (null: the platform defaults).

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("api_tokens", sa.Column("rate_limit_per_minute", sa.Integer))
    op.add_column("api_tokens", sa.Column("rate_limit_per_hour", sa.Integer))


def downgrade() -> None:
    op.drop_column("api_tokens", "rate_limit_per_hour")
    op.drop_column("api_tokens", "rate_limit_per_minute")
