"""Outbox parking: attempts and last error per outbox row, and the ``outbox_parked``
table where a row that keeps failing goes, so the rows behind it are sent.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

from tt.common.migrations import add_outbox_parking, drop_outbox_parking

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_outbox_parking()


def downgrade() -> None:
    drop_outbox_parking()
