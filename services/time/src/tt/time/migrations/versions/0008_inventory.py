"""Inventory: warehouses, stock items, stock levels, movements and transfers.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUANTITY = sa.Numeric(14, 3)


def _now(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def _ref(column: str, table: str, target: str, primary_key: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        column,
        sa.BigInteger,
        sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}"),
        nullable=False,
        primary_key=primary_key,
    )


def upgrade() -> None:
    op.create_table(
        "warehouses",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("code", sa.String(50), nullable=False),
        sa.Column("address", sa.Text),
        sa.Column("contact_person", sa.String(200)),
        sa.Column("contact_email", sa.String(200)),
        sa.Column("contact_phone", sa.String(100)),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("notes", sa.Text),
        sa.Column("created_by", sa.BigInteger),
        _now("created_at"),
        _now("updated_at"),
        sa.UniqueConstraint("code", name="uq_warehouses_code"),
    )
    op.create_table(
        "stock_items",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("sku", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("category", sa.String(100)),
        sa.Column("unit", sa.String(20), nullable=False, server_default="pcs"),
        sa.Column("default_cost", sa.Numeric(12, 2)),
        sa.Column("default_price", sa.Numeric(12, 2)),
        sa.Column("currency_code", sa.String(3), nullable=False),
        sa.Column("barcode", sa.String(100)),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("is_trackable", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("reorder_point", QUANTITY),
        sa.Column("reorder_quantity", QUANTITY),
        sa.Column("notes", sa.Text),
        sa.Column("created_by", sa.BigInteger),
        _now("created_at"),
        _now("updated_at"),
        sa.UniqueConstraint("sku", name="uq_stock_items_sku"),
    )
    op.create_table(
        "warehouse_stock",
        _ref("warehouse_id", "warehouse_stock", "warehouses", primary_key=True),
        _ref("stock_item_id", "warehouse_stock", "stock_items", primary_key=True),
        sa.Column("quantity_on_hand", QUANTITY, nullable=False, server_default="0"),
        sa.Column("quantity_reserved", QUANTITY, nullable=False, server_default="0"),
        sa.Column("location", sa.String(100)),
        _now("updated_at"),
        sa.CheckConstraint("quantity_on_hand >= 0", name="ck_warehouse_stock_on_hand_not_negative"),
    )
    op.create_index("ix_warehouse_stock_stock_item_id", "warehouse_stock", ["stock_item_id"])
    op.create_table(
        "stock_movements",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("movement_type", sa.String(20), nullable=False),
        _ref("stock_item_id", "stock_movements", "stock_items"),
        _ref("warehouse_id", "stock_movements", "warehouses"),
        sa.Column("quantity", QUANTITY, nullable=False),
        sa.Column("reference_type", sa.String(20)),
        sa.Column("reference_id", sa.BigInteger),
        sa.Column("unit_cost", sa.Numeric(12, 2)),
        sa.Column("reason", sa.String(500)),
        sa.Column("notes", sa.Text),
        sa.Column("moved_by", sa.BigInteger, nullable=False),
        _now("moved_at"),
    )
    op.execute(
        "CREATE INDEX ix_stock_movements_item_moved ON stock_movements"
        " (stock_item_id, moved_at DESC)"
    )
    op.create_table(
        "stock_transfers",
        sa.Column("id", sa.BigInteger, primary_key=True),
        _ref("stock_item_id", "stock_transfers", "stock_items"),
        _ref("from_warehouse_id", "stock_transfers", "warehouses"),
        _ref("to_warehouse_id", "stock_transfers", "warehouses"),
        sa.Column("quantity", QUANTITY, nullable=False),
        sa.Column("notes", sa.Text),
        sa.Column("out_movement_id", sa.BigInteger),
        sa.Column("in_movement_id", sa.BigInteger),
        sa.Column("moved_by", sa.BigInteger, nullable=False),
        _now("moved_at"),
    )
    op.execute(
        "CREATE INDEX ix_stock_transfers_moved_at ON stock_transfers (moved_at DESC, id DESC)"
    )


def downgrade() -> None:
    for table in (
        "stock_transfers",
        "stock_movements",
        "warehouse_stock",
        "stock_items",
        "warehouses",
    ):
        op.drop_table(table)
