"""Inventory tables. Stock on hand per (warehouse, item) never goes below zero (a check
constraint backs the service's own check); every change of it is a movement, and a
transfer is a pair of movements under one reference id."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from tt.time.base import Base

Quantity = Numeric(14, 3)


class Warehouse(Base):
    __tablename__ = "warehouses"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(50), unique=True)
    address: Mapped[str | None] = mapped_column(Text)
    contact_person: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(server_default="true")
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class StockItem(Base):
    __tablename__ = "stock_items"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    sku: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20), server_default="pcs")
    default_cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    default_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency_code: Mapped[str] = mapped_column(String(3))
    barcode: Mapped[str | None] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(server_default="true")
    is_trackable: Mapped[bool] = mapped_column(server_default="true")
    reorder_point: Mapped[Decimal | None] = mapped_column(Quantity)
    reorder_quantity: Mapped[Decimal | None] = mapped_column(Quantity)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class WarehouseStock(Base):
    __tablename__ = "warehouse_stock"
    __table_args__ = (
        CheckConstraint("quantity_on_hand >= 0", name="on_hand_not_negative"),
        Index("ix_warehouse_stock_stock_item_id", "stock_item_id"),
    )

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), primary_key=True)
    stock_item_id: Mapped[int] = mapped_column(ForeignKey("stock_items.id"), primary_key=True)
    quantity_on_hand: Mapped[Decimal] = mapped_column(Quantity, server_default="0")
    quantity_reserved: Mapped[Decimal] = mapped_column(Quantity, server_default="0")
    location: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class StockMovement(Base):
    __tablename__ = "stock_movements"
    __table_args__ = (
        Index("ix_stock_movements_item_moved", "stock_item_id", text("moved_at DESC")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    movement_type: Mapped[str] = mapped_column(String(20))
    stock_item_id: Mapped[int] = mapped_column(ForeignKey("stock_items.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)  # signed: + in, - out
    reference_type: Mapped[str | None] = mapped_column(String(20))
    reference_id: Mapped[int | None] = mapped_column(BigInteger)
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    reason: Mapped[str | None] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(Text)
    moved_by: Mapped[int] = mapped_column(BigInteger)
    moved_at: Mapped[datetime] = mapped_column(server_default=func.now())


class StockTransfer(Base):
    """A move between two warehouses; its id is the reference id of its two movements."""

    __tablename__ = "stock_transfers"
    __table_args__ = (Index("ix_stock_transfers_moved_at", text("moved_at DESC"), text("id DESC")),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    stock_item_id: Mapped[int] = mapped_column(ForeignKey("stock_items.id"))
    from_warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    to_warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    notes: Mapped[str | None] = mapped_column(Text)
    out_movement_id: Mapped[int | None] = mapped_column(BigInteger)
    in_movement_id: Mapped[int | None] = mapped_column(BigInteger)
    moved_by: Mapped[int] = mapped_column(BigInteger)
    moved_at: Mapped[datetime] = mapped_column(server_default=func.now())
