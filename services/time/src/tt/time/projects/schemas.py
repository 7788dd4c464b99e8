"""Request bodies of the project routes."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictBool, field_validator

from tt.common.fields import LENIENT, BodyId, text_field
from tt.time.clients.schemas import check_currency, check_custom_fields
from tt.time.projects.models import PROJECT_STATUSES
from tt.time.web.fields import Hours, LongText, Money, Name, ShortText

ProjectStatus = Literal["active", "inactive", "on_hold", "archived", "completed"]
assert set(ProjectStatus.__args__) == set(PROJECT_STATUSES)  # type: ignore[attr-defined]

Code = Annotated[str, text_field(20)]
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


class ProjectFields(BaseModel):
    model_config = LENIENT

    code: Code | None = None
    description: LongText | None = None
    client_id: BodyId | None = None
    billable: StrictBool | None = None
    hourly_rate: Money | None = None
    billing_ref: ShortText | None = None
    status: ProjectStatus | None = None
    estimated_hours: Hours | None = None
    budget_amount: Money | None = None
    budget_threshold_percent: Annotated[int, Field(ge=0, le=1000, strict=True)] | None = None
    currency: str | None = None
    color: str | None = None
    custom_fields: dict[str, Any] | None = None

    _currency = field_validator("currency")(check_currency)
    _custom = field_validator("custom_fields")(check_custom_fields)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        return value.upper() if value else None

    @field_validator("color")
    @classmethod
    def _color(cls, value: str | None) -> str | None:
        if value is not None and not _COLOR.match(value):
            raise ValueError("Must be a colour as #RRGGBB")
        return value


class ProjectCreate(ProjectFields):
    name: Name


class ProjectUpdate(ProjectFields):
    name: Name | None = None
