"""Request bodies of the approval routes."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from tt.common.fields import LENIENT, STRICT, BodyId
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
