"""Request bodies of the inventory routes (unknown keys are ignored)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, StrictBool, field_validator
from pydantic_core import PydanticCustomError

from tt.common.fields import LENIENT, BodyId, text_field
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
