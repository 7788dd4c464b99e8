"""The body and the answer of ``POST /api/v1/time-entries/bulk``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from tt.common.fields import STRICT, BodyId
from tt.common.openapi import Answer
from tt.time.web.fields import to_tags

MAX_IDS = 1000
Action = Literal["delete", "set_billable", "set_paid", "add_tag", "remove_tag"]


class BulkAction(BaseModel):
    model_config = STRICT

    entry_ids: Annotated[list[BodyId], Field(min_length=1, max_length=MAX_IDS)]
    action: Action
    # A boolean for set_billable/set_paid, a tag (or comma-separated tags) for the tag
    # actions, nothing for delete.
    value: Any = Field(default=None, validate_default=True)

    @field_validator("value", mode="after")
    @classmethod
    def _value_fits_action(cls, value: Any, info: ValidationInfo) -> Any:
        action = info.data.get("action")
        if action in ("set_billable", "set_paid") and not isinstance(value, bool):
            raise ValueError(f"{action} needs true or false")
        tagging = action in ("add_tag", "remove_tag")
        if tagging and (not isinstance(value, str) or not to_tags(value)):
            raise ValueError(f"{action} needs a tag")
        return value

    @property
    def tags(self) -> list[str]:
        return to_tags(self.value).split(",") if isinstance(self.value, str) else []


class Skipped(Answer):
    """An id the action left alone, and why."""

    id: int
    reason: Literal["not_found", "active", "approved", "pending", "tags_too_long"]


class BulkResult(Answer):
    """Every id of the request: changed, unchanged (already as asked) or skipped."""

    success: Literal[True]
    action: Action
    affected: int
    changed_ids: list[int]
    unchanged_ids: list[int]
    skipped: list[Skipped]
    message: str
