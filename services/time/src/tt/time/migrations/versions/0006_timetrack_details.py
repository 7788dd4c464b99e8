"""TimeTrack details of entries (hourly rate, flat rate, start and end coordinates).

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "timetrack_entry_details",
        sa.Column(
            "entry_id",
            sa.BigInteger,
            sa.ForeignKey(
                "time_entries.id",
                name="fk_timetrack_entry_details_entry_id_time_entries",
                ondelete="CASCADE",
            ),
            primary_key=True,
        ),
        sa.Column("hour_rate", sa.Numeric(9, 2)),
        sa.Column("flat_rate", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("latitude", sa.String(32)),
        sa.Column("longitude", sa.String(32)),
        sa.Column("latitude1", sa.String(32)),
        sa.Column("longitude1", sa.String(32)),
    )


def downgrade() -> None:
    op.drop_table("timetrack_entry_details")
