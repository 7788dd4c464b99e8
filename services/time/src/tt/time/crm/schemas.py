"""Request bodies of deals and leads (unknown keys are ignored, as for clients), and the
answers' shapes for the OpenAPI document (``views.py`` builds them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator

from tt.common.fields import LENIENT, BodyId, text_field
from tt.common.openapi import page_of
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


# ------------------------------------------------------------------ answers


class DealView(BaseModel):
    """A deal; ``weighted_value`` is its value times its probability (in percent)."""

    id: int
    client_id: int | None
    contact_id: int | None
    lead_id: int | None
    name: str
    description: str | None
    stage: str
    value: float | None
    currency_code: str
    probability: int
    weighted_value: float
    expected_close_date: date | None
    actual_close_date: date | None
    status: DealStatus
    loss_reason: str | None
    related_project_id: int | None
    notes: str | None
    created_by: int
    owner_id: int
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    is_open: bool
    is_won: bool
    is_lost: bool


class LeadView(BaseModel):
    """A lead; ``tags`` as a list."""

    id: int
    first_name: str
    last_name: str
    full_name: str
    display_name: str
    company_name: str | None
    email: str | None
    phone: str | None
    title: str | None
    source: str | None
    status: LeadStatus
    score: int
    estimated_value: float | None
    currency_code: str
    converted_to_client_id: int | None
    converted_to_deal_id: int | None
    converted_at: datetime | None
    converted_by: int | None
    notes: str | None
    tags: list[str]
    created_by: int
    owner_id: int
    created_at: datetime
    updated_at: datetime
    is_converted: bool
    is_lost: bool


DealPage = page_of(DealView, "deals", "DealPage")
LeadPage = page_of(LeadView, "leads", "LeadPage")


class DealAnswer(BaseModel):
    deal: DealView


class DealSaved(BaseModel):
    """A created (201) or updated deal."""

    message: str
    deal: DealView


class LeadAnswer(BaseModel):
    lead: LeadView


class LeadSaved(BaseModel):
    """A created (201) or updated lead."""

    message: str
    lead: LeadView


class CrmDeleted(BaseModel):
    """A deal or lead deleted."""

    message: str
