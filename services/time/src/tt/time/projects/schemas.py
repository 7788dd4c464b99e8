"""Request bodies and answers of the project routes."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictBool, field_validator

from tt.common.fields import LENIENT, BodyId, text_field
from tt.common.openapi import Answer, page_of
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


class Project(Answer):
    """A project as the API answers it (``views.project_view``)."""

    id: int
    name: str
    code: str | None
    code_display: str
    client_id: int | None
    client: str | None
    description: str | None
    billable: bool
    hourly_rate: float | None
    billing_ref: str | None
    status: ProjectStatus
    estimated_hours: float | None
    budget_amount: float | None
    budget_threshold_percent: int
    currency: str
    created_at: datetime
    updated_at: datetime
    total_hours: float
    total_billable_hours: float
    estimated_cost: float | None
    budget_consumed_amount: float
    budget_threshold_exceeded: bool
    custom_fields: dict[str, Any]
    is_archived: bool
    archived_at: datetime | None
    archived_by: int | None
    archived_reason: str | None
    color: str | None


class ProjectAnswer(Answer):
    project: Project


class ProjectSaved(Answer):
    """A create (201) or an update."""

    message: str
    project: Project


ProjectPage = page_of(Project, "projects", "ProjectPage")
