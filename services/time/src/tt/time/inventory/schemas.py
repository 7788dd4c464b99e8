"""Request bodies of the inventory routes (unknown keys are ignored), and the answers'
shapes for the OpenAPI document (``views.py`` builds them; quantities and money are
numbers)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, StrictBool, field_validator
from pydantic_core import PydanticCustomError

from tt.common.fields import LENIENT, BodyId, text_field
from tt.common.openapi import page_of
from tt.time.clients.schemas import check_currency, check_email
from tt.time.web.fields import LongText, Money, Name, ShortText

MAX_QUANTITY = Decimal("1000000000")


def _quantity(signed: bool) -> Any:
    def check(value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise PydanticCustomError("decimal_type", "Must be a number")
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise PydanticCustomError("decimal_parsing", "Must be a number") from None
        if not amount.is_finite() or abs(amount) >= MAX_QUANTITY:
            raise PydanticCustomError("decimal_range", "Must be below 1,000,000,000 in size")
        amount = amount.quantize(Decimal("0.001"))
        if amount == 0 or (amount < 0 and not signed):
            message = "Must not be zero" if signed else "Must be positive"
            raise PydanticCustomError("decimal_range", message)
        return amount

    return BeforeValidator(check)


Quantity = Annotated[Decimal, _quantity(signed=False)]
SignedQuantity = Annotated[Decimal, _quantity(signed=True)]
Code = Annotated[str, text_field(50, min_length=1)]
Label = Annotated[str, text_field(100)]
MovementType = Literal["adjustment", "purchase", "sale", "return", "waste"]


class ItemFields(BaseModel):
    model_config = LENIENT

    description: LongText | None = None
    category: Label | None = None
    unit: Annotated[str, text_field(20, min_length=1)] | None = None
    default_cost: Money | None = None
    default_price: Money | None = None
    currency_code: str | None = None
    barcode: Label | None = None
    is_active: StrictBool | None = None
    is_trackable: StrictBool | None = None
    reorder_point: Quantity | None = None
    reorder_quantity: Quantity | None = None
    notes: LongText | None = None

    _currency = field_validator("currency_code")(check_currency)


class ItemCreate(ItemFields):
    sku: Annotated[str, text_field(100, min_length=1)]
    name: Name


class ItemUpdate(ItemFields):
    name: Name | None = None  # the SKU stays what it was created with


class WarehouseFields(BaseModel):
    model_config = LENIENT

    address: LongText | None = None
    contact_person: Annotated[str, text_field(200)] | None = None
    contact_email: Annotated[str, text_field(200)] | None = None
    contact_phone: ShortText | None = None
    is_active: StrictBool | None = None
    notes: LongText | None = None

    _email = field_validator("contact_email")(check_email)


class WarehouseCreate(WarehouseFields):
    name: Name
    code: Code


class WarehouseUpdate(WarehouseFields):
    name: Name | None = None
    code: Code | None = None


class MovementCreate(BaseModel):
    """A change of stock in one warehouse: ``quantity`` is signed (+ in, - out)."""

    model_config = LENIENT

    movement_type: MovementType = "adjustment"
    stock_item_id: BodyId
    warehouse_id: BodyId
    quantity: SignedQuantity
    unit_cost: Money | None = None
    reason: Annotated[str, text_field(500)] | None = None
    notes: LongText | None = None


class TransferCreate(BaseModel):
    model_config = LENIENT

    stock_item_id: BodyId
    from_warehouse_id: BodyId
    to_warehouse_id: BodyId
    quantity: Quantity
    notes: LongText | None = None


# ------------------------------------------------------------------ answers


class WarehouseView(BaseModel):
    id: int
    name: str
    code: str
    address: str | None
    contact_person: str | None
    contact_email: str | None
    contact_phone: str | None
    is_active: bool
    notes: str | None
    created_at: datetime
    updated_at: datetime
    created_by: int | None


class StockItemView(BaseModel):
    """A stock item with its quantity on hand over every warehouse."""

    id: int
    sku: str
    name: str
    description: str | None
    category: str | None
    unit: str
    default_cost: float | None
    default_price: float | None
    currency_code: str
    barcode: str | None
    is_active: bool
    is_trackable: bool
    reorder_point: float | None
    reorder_quantity: float | None
    notes: str | None
    created_at: datetime
    updated_at: datetime
    created_by: int | None
    total_quantity_on_hand: float
    is_low_stock: bool


class StockLevelView(BaseModel):
    """An item's stock in one warehouse."""

    warehouse_id: int
    stock_item_id: int
    quantity_on_hand: float
    quantity_reserved: float
    quantity_available: float
    location: str | None


class ListedStockLevel(StockLevelView):
    """A stock level in the list, with its warehouse and item."""

    warehouse: WarehouseView
    stock_item: StockItemView


class MovementView(BaseModel):
    """A change of stock in one warehouse: ``quantity`` is signed (+ in, - out); a
    transfer's movements carry its ``reference_id``."""

    id: int
    movement_type: MovementType | Literal["transfer"]
    stock_item_id: int
    warehouse_id: int
    quantity: float
    reference_type: str | None
    reference_id: int | None
    unit_cost: float | None
    reason: str | None
    notes: str | None
    moved_by: int
    moved_at: datetime


class TransferFields(BaseModel):
    reference_id: int
    moved_at: datetime
    stock_item_id: int
    from_warehouse_id: int
    to_warehouse_id: int
    quantity: float
    notes: str | None


class TransferView(TransferFields):
    """A transfer as listed: the ids of its movements, out then in."""

    movement_ids: list[int]


class TransferDetail(TransferFields):
    """One transfer with its movements, out then in."""

    movements: list[MovementView]


class TransferMovement(BaseModel):
    movement_id: int
    movement: MovementView


ItemPage = page_of(StockItemView, "items", "StockItemPage")
WarehousePage = page_of(WarehouseView, "warehouses", "WarehousePage")
StockLevelPage = page_of(ListedStockLevel, "stock_levels", "StockLevelPage")
TransferPage = page_of(TransferView, "transfers", "TransferPage")


class ItemAnswer(BaseModel):
    item: StockItemView


class ItemSaved(BaseModel):
    """A created (201) or updated stock item."""

    message: str
    item: StockItemView


class WarehouseAnswer(BaseModel):
    warehouse: WarehouseView


class WarehouseSaved(BaseModel):
    """A created (201) or updated warehouse."""

    message: str
    warehouse: WarehouseView


class InventoryDeactivated(BaseModel):
    """A stock item or warehouse deactivated (kept, since movements refer to it)."""

    message: str


class MovementRecorded(BaseModel):
    message: str
    movement: MovementView
    stock_level: StockLevelView


class TransferCreated(BaseModel):
    """A transfer made: its reference id, the transfer and its pair of movements."""

    message: str
    reference_id: int
    transfer: TransferView
    transfers: list[TransferMovement]


class TransferAnswer(BaseModel):
    transfer: TransferDetail
