"""Inventory answers, as the reference server's ``to_dict`` shapes them (quantities and
money as numbers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tt.time.inventory.models import (
    StockItem,
    StockMovement,
    StockTransfer,
    Warehouse,
    WarehouseStock,
)


def number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def warehouse_view(warehouse: Warehouse) -> dict[str, Any]:
    return {
        "id": warehouse.id,
        "name": warehouse.name,
        "code": warehouse.code,
        "address": warehouse.address,
        "contact_person": warehouse.contact_person,
        "contact_email": warehouse.contact_email,
        "contact_phone": warehouse.contact_phone,
        "is_active": warehouse.is_active,
        "notes": warehouse.notes,
        "created_at": warehouse.created_at,
        "updated_at": warehouse.updated_at,
        "created_by": warehouse.created_by,
    }


def item_view(item: StockItem, on_hand: Decimal | None = None) -> dict[str, Any]:
    on_hand = on_hand or Decimal(0)
    return {
        "id": item.id,
        "sku": item.sku,
        "name": item.name,
        "description": item.description,
        "category": item.category,
        "unit": item.unit,
        "default_cost": number(item.default_cost),
        "default_price": number(item.default_price),
        "currency_code": item.currency_code,
        "barcode": item.barcode,
        "is_active": item.is_active,
        "is_trackable": item.is_trackable,
        "reorder_point": number(item.reorder_point),
        "reorder_quantity": number(item.reorder_quantity),
        "notes": item.notes,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "created_by": item.created_by,
        "total_quantity_on_hand": float(on_hand),
        "is_low_stock": item.reorder_point is not None and on_hand <= item.reorder_point,
    }


def level_view(stock: WarehouseStock) -> dict[str, Any]:
    return {
        "warehouse_id": stock.warehouse_id,
        "stock_item_id": stock.stock_item_id,
        "quantity_on_hand": float(stock.quantity_on_hand),
        "quantity_reserved": float(stock.quantity_reserved),
        "quantity_available": float(stock.quantity_on_hand - stock.quantity_reserved),
        "location": stock.location,
    }


def movement_view(movement: StockMovement) -> dict[str, Any]:
    return {
        "id": movement.id,
        "movement_type": movement.movement_type,
        "stock_item_id": movement.stock_item_id,
        "warehouse_id": movement.warehouse_id,
        "quantity": float(movement.quantity),
        "reference_type": movement.reference_type,
        "reference_id": movement.reference_id,
        "unit_cost": number(movement.unit_cost),
        "reason": movement.reason,
        "notes": movement.notes,
        "moved_by": movement.moved_by,
        "moved_at": movement.moved_at,
    }


def transfer_view(transfer: StockTransfer) -> dict[str, Any]:
    """A transfer as the reference lists it (``movement_ids``: out, then in)."""
    return {
        "reference_id": transfer.id,
        "moved_at": transfer.moved_at,
        "stock_item_id": transfer.stock_item_id,
        "from_warehouse_id": transfer.from_warehouse_id,
        "to_warehouse_id": transfer.to_warehouse_id,
        "quantity": float(transfer.quantity),
        "notes": transfer.notes,
        "movement_ids": [transfer.out_movement_id, transfer.in_movement_id],
    }


def listed_level_view(
    level: WarehouseStock, warehouse: Warehouse, item: StockItem
) -> dict[str, Any]:
    """A stock level as the list shows it: with its warehouse and item."""
    return {
        "warehouse": warehouse_view(warehouse),
        "stock_item": item_view(item),
        **level_view(level),
    }


def transfer_detail_view(transfer: StockTransfer, movements: list[StockMovement]) -> dict[str, Any]:
    """One transfer with its movements in full instead of their ids."""
    view = transfer_view(transfer)
    del view["movement_ids"]
    return {**view, "movements": [movement_view(m) for m in movements]}


def transfer_movements_view(movements: list[StockMovement]) -> list[dict[str, Any]]:
    """A created transfer's pair of movements (out, then in), as the reference answers."""
    return [{"movement_id": m.id, "movement": movement_view(m)} for m in movements]


def recorded_movement_view(movement: StockMovement, level: WarehouseStock) -> dict[str, Any]:
    """A recorded movement with the stock level it left behind."""
    return {"movement": movement_view(movement), "stock_level": level_view(level)}
