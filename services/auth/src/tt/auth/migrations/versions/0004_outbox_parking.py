"""Outbox parking: attempts and last error per outbox row, and the ``outbox_parked``
table where a row that keeps failing goes, so the rows behind it are sent.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

from tt.common.migrations import add_outbox_parking, drop_outbox_parking

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_outbox_parking()


def downgrade() -> None:
    drop_outbox_parking()
