"""Request bodies of the contact routes (unknown keys are ignored, as for clients)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, StrictBool, field_validator

from tt.common.fields import LENIENT, text_field
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
