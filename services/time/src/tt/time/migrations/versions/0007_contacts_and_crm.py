"""Client contacts, leads and deals.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())
        for name in ("created_at", "updated_at")
    ]


def _fk(column: str, table: str, target: str, ondelete: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        column,
        sa.BigInteger,
        sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}", ondelete=ondelete),
    )


def upgrade() -> None:
    op.create_table(
        "client_contacts",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column(
            "client_id",
            sa.BigInteger,
            sa.ForeignKey(
                "clients.id", name="fk_client_contacts_client_id_clients", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(200)),
        sa.Column("phone", sa.String(100)),
        sa.Column("mobile", sa.String(100)),
        sa.Column("title", sa.String(100)),
        sa.Column("department", sa.String(100)),
        sa.Column("role", sa.String(50), nullable=False, server_default="contact"),
        sa.Column("is_primary", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("address", sa.Text),
        sa.Column("notes", sa.Text),
        sa.Column("tags", sa.String(500)),
        sa.Column("created_by", sa.BigInteger),
        *_timestamps(),
    )
    op.create_index(
        "ix_client_contacts_client_id",
        "client_contacts",
        ["client_id", "last_name", "first_name", "id"],
    )

    op.create_table(
        "leads",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("company_name", sa.String(200)),
        sa.Column("email", sa.String(200)),
        sa.Column("phone", sa.String(100)),
        sa.Column("title", sa.String(100)),
        sa.Column("source", sa.String(100)),
        sa.Column("status", sa.String(20), nullable=False, server_default="new"),
        sa.Column("score", sa.Integer, nullable=False, server_default="0"),
        sa.Column("estimated_value", sa.Numeric(12, 2)),
        sa.Column("currency_code", sa.String(3), nullable=False),
        _fk("converted_to_client_id", "leads", "clients", "SET NULL"),
        sa.Column("converted_to_deal_id", sa.BigInteger),
        sa.Column("converted_at", sa.DateTime(timezone=True)),
        sa.Column("converted_by", sa.BigInteger),
        sa.Column("notes", sa.Text),
        sa.Column("tags", sa.String(500)),
        sa.Column("owner_id", sa.BigInteger, nullable=False),
        sa.Column("created_by", sa.BigInteger, nullable=False),
        *_timestamps(),
    )
    op.create_index("ix_leads_owner_id", "leads", ["owner_id"])
    op.create_index("ix_leads_status", "leads", ["status"])

    op.create_table(
        "deals",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text),
        _fk("client_id", "deals", "clients", "SET NULL"),
        _fk("contact_id", "deals", "client_contacts", "SET NULL"),
        _fk("lead_id", "deals", "leads", "SET NULL"),
        _fk("related_project_id", "deals", "projects", "SET NULL"),
        sa.Column("stage", sa.String(50), nullable=False, server_default="prospecting"),
        sa.Column("value", sa.Numeric(12, 2)),
        sa.Column("currency_code", sa.String(3), nullable=False),
        sa.Column("probability", sa.Integer, nullable=False, server_default="50"),
        sa.Column("expected_close_date", sa.Date),
        sa.Column("actual_close_date", sa.Date),
        sa.Column("status", sa.String(20), nullable=False, server_default="open"),
        sa.Column("loss_reason", sa.String(500)),
        sa.Column("notes", sa.Text),
        sa.Column("owner_id", sa.BigInteger, nullable=False),
        sa.Column("created_by", sa.BigInteger, nullable=False),
        *_timestamps(),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_deals_owner_id", "deals", ["owner_id"])
    op.create_index("ix_deals_status", "deals", ["status"])


def downgrade() -> None:
    for table in ("deals", "leads", "client_contacts"):
        op.drop_table(table)
