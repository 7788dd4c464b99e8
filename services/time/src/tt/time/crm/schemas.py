"""Request bodies of deals and leads (unknown keys are ignored, as for clients)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator

from tt.common.fields import LENIENT, BodyId, text_field
from tt.time.clients.schemas import check_currency, check_email
from tt.time.contacts.schemas import PersonName
from tt.time.web.fields import Day, LongText, Money, Name, ShortText, Tags

DealStatus = Literal["open", "won", "lost", "cancelled"]
LeadStatus = Literal["new", "contacted", "qualified", "converted", "lost"]
Percent = Annotated[int, Field(ge=0, le=100, strict=True)]
Label = Annotated[str, text_field(100)]


class DealFields(BaseModel):
    model_config = LENIENT

    description: LongText | None = None
    client_id: BodyId | None = None
    contact_id: BodyId | None = None
    lead_id: BodyId | None = None
    related_project_id: BodyId | None = None
    stage: Annotated[str, text_field(50, min_length=1)] | None = None
    value: Money | None = None
    currency_code: str | None = None
    probability: Percent | None = None
    expected_close_date: Day | None = None
    actual_close_date: Day | None = None
    status: DealStatus | None = None
    loss_reason: Annotated[str, text_field(500)] | None = None
    notes: LongText | None = None
    owner_id: BodyId | None = None

    _currency = field_validator("currency_code")(check_currency)


class DealCreate(DealFields):
    name: Name


class DealUpdate(DealFields):
    name: Name | None = None


class LeadFields(BaseModel):
    model_config = LENIENT

    company_name: Annotated[str, text_field(200)] | None = None
    email: Annotated[str, text_field(200)] | None = None
    phone: ShortText | None = None
    title: Label | None = None
    source: Label | None = None
    status: LeadStatus | None = None
    score: Percent | None = None
    estimated_value: Money | None = None
    currency_code: str | None = None
    notes: LongText | None = None
    tags: Tags | None = None
    owner_id: BodyId | None = None

    _currency = field_validator("currency_code")(check_currency)
    _email = field_validator("email")(check_email)


class LeadCreate(LeadFields):
    first_name: PersonName
    last_name: PersonName


class LeadUpdate(LeadFields):
    first_name: PersonName | None = None
    last_name: PersonName | None = None
