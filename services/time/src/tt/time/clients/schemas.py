"""Request bodies and answers of the client routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from tt.common.fields import LENIENT, NUL_REFUSED, has_nul
from tt.common.openapi import Answer, page_of
from tt.time.clients.models import CLIENT_STATUSES
from tt.time.web.fields import LongText, Money, Name, OptionalText, ShortText

ClientStatus = Literal["active", "inactive", "archived"]
assert set(ClientStatus.__args__) == set(CLIENT_STATUSES)  # type: ignore[attr-defined]


def check_currency(value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) != 3 or not value.isascii() or not value.isalpha():
        raise ValueError("Must be a 3-letter ISO 4217 code")
    return value.upper()


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether containers nest more than ``limit`` levels (iterative: no recursion limit)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def check_custom_fields(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Free-form, but bounded: 10,000 characters and 8 levels of nesting."""
    if value is None:
        return None
    if _deeper_than(value, 8):
        raise ValueError("Must be nested at most 8 levels deep")
    if len(str(value)) > 10_000:
        raise ValueError("Must be at most 10000 characters as JSON")
    if has_nul(value):
        raise ValueError(NUL_REFUSED)
    return value


def check_email(value: str | None) -> str | None:
    if value and ("@" not in value or " " in value):
        raise ValueError("Must be an email address")
    return value or None


class ClientFields(BaseModel):
    model_config = LENIENT

    email: OptionalText | None = None
    company: OptionalText | None = None
    phone: ShortText | None = None
    address: LongText | None = None
    contact_person: OptionalText | None = None
    description: LongText | None = None
    default_hourly_rate: Money | None = None
    currency: str | None = None
    status: ClientStatus | None = None
    custom_fields: dict[str, Any] | None = None

    _currency = field_validator("currency")(check_currency)
    _custom = field_validator("custom_fields")(check_custom_fields)
    _email = field_validator("email")(check_email)


class ClientCreate(ClientFields):
    name: Name


class ClientUpdate(ClientFields):
    name: Name | None = None


class Client(Answer):
    """A client as the API answers it (``views.client_view``)."""

    id: int
    name: str
    description: str | None
    contact_person: str | None
    email: str | None
    phone: str | None
    address: str | None
    company: str | None
    default_hourly_rate: str | None = Field(description='Money as a string ("75.00")')
    currency: str
    status: ClientStatus
    is_active: bool
    total_projects: int
    active_projects: int
    prepaid_hours_monthly: None
    prepaid_reset_day: None
    custom_fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class ClientAnswer(Answer):
    client: Client


class ClientSaved(Answer):
    """A create (201) or an update."""

    message: str
    client: Client


ClientPage = page_of(Client, "clients", "ClientPage")
