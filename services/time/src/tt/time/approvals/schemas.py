"""Request bodies and answers of the approval routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from tt.common.fields import LENIENT, STRICT, BodyId
from tt.common.openapi import Answer, page_of
from tt.time.entries.schemas import ApprovalStatus
from tt.time.web.fields import LongText

MAX_ENTRIES = 500  # entries one request may cover


class ApprovalRequest(BaseModel):
    model_config = STRICT

    entry_ids: Annotated[list[BodyId], Field(min_length=1, max_length=MAX_ENTRIES)]
    comment: LongText | None = None


class EntryApprovalRequest(BaseModel):
    """``POST /time-entries/<id>/request-approval`` (the entry is in the path)."""

    model_config = LENIENT

    comment: LongText | None = None


class Decision(BaseModel):
    """Approve or reject; the reference's ``reason``/``rejection_reason`` name the comment
    too. Rejecting needs one (checked by the route)."""

    model_config = LENIENT

    comment: LongText | None = None
    reason: LongText | None = None
    rejection_reason: LongText | None = None

    @property
    def text(self) -> str | None:
        return self.comment or self.reason or self.rejection_reason or None


class Approval(Answer):
    """An approval request as the API answers it (``views.approval_view``)."""

    id: int
    user_id: int
    requested_by: int
    entry_ids: list[int]
    entry_count: int
    status: ApprovalStatus
    comment: str | None
    request_comment: str | None
    decision_comment: str | None
    decided_by: int | None
    requested_at: datetime
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ApprovalAnswer(Answer):
    approval: Approval


class ApprovalSaved(Answer):
    """A request (201) or a decision."""

    message: str
    approval: Approval


ApprovalPage = page_of(Approval, "approvals", "ApprovalPage")
