"""Request bodies of the contact routes (unknown keys are ignored, as for clients), and
the answers' shapes for the OpenAPI document (``views.py`` builds them)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, StrictBool, field_validator

from tt.common.fields import LENIENT, text_field
from tt.common.openapi import page_of
from tt.time.clients.schemas import check_email
from tt.time.web.fields import LongText, ShortText, Tags

PersonName = Annotated[str, text_field(100, min_length=1)]
Label = Annotated[str, text_field(100)]


class ContactFields(BaseModel):
    model_config = LENIENT

    email: Annotated[str, text_field(200)] | None = None
    phone: ShortText | None = None
    mobile: ShortText | None = None
    title: Label | None = None
    department: Label | None = None
    role: Annotated[str, text_field(50, min_length=1)] | None = None
    is_primary: StrictBool | None = None
    address: LongText | None = None
    notes: LongText | None = None
    tags: Tags | None = None

    _email = field_validator("email")(check_email)


class ContactCreate(ContactFields):
    first_name: PersonName
    last_name: PersonName


class ContactUpdate(ContactFields):
    first_name: PersonName | None = None
    last_name: PersonName | None = None


# ------------------------------------------------------------------ answers


class ContactView(BaseModel):
    """A contact of a client; ``tags`` as a list."""

    id: int
    client_id: int
    first_name: str
    last_name: str
    full_name: str
    display_name: str
    email: str | None
    phone: str | None
    mobile: str | None
    title: str | None
    department: str | None
    role: str
    is_primary: bool
    address: str | None
    notes: str | None
    tags: list[str]
    is_active: bool
    created_by: int | None
    created_at: datetime
    updated_at: datetime


ContactPage = page_of(ContactView, "contacts", "ContactPage")


class ContactAnswer(BaseModel):
    contact: ContactView


class ContactSaved(BaseModel):
    """A created (201) or updated contact."""

    message: str
    contact: ContactView


class ContactDeleted(BaseModel):
    message: str
