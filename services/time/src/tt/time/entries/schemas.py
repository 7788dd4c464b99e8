"""Request bodies and answers of the time-entry routes. Entry bodies are strict, as the reference
server's schemas are: an unknown key is a 400, not silently dropped."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool

from tt.common.fields import STRICT, BodyId
from tt.common.openapi import Answer, page_of
from tt.time.web.fields import LongText, ShortText, Tags, Timestamp

# Longest break one entry can carry (a week); anything longer is a typo.
BreakSeconds = Annotated[int, Field(ge=0, le=7 * 86_400, strict=True)]


class EntryFields(BaseModel):
    model_config = STRICT

    project_id: BodyId | None = None
    client_id: BodyId | None = None
    task_id: BodyId | None = None
    end_time: Timestamp | None = None
    break_seconds: BreakSeconds | None = None
    notes: LongText | None = None
    tags: Tags | None = None
    invoice_number: ShortText | None = None
    # Entries longer than 24 hours are refused unless the request says they are meant.
    allow_long_duration: StrictBool = False


class EntryCreate(EntryFields):
    start_time: Timestamp
    user_id: BodyId | None = None  # admins only: an entry for another user
    billable: StrictBool = True
    paid: StrictBool = False


class EntryUpdate(EntryFields):
    start_time: Timestamp | None = None
    billable: StrictBool | None = None
    paid: StrictBool | None = None
    # Optimistic concurrency: 409 if the entry changed since (more than 2 s apart).
    if_updated_at: Timestamp | None = None


ApprovalStatus = Literal["pending", "approved", "rejected"]


class TimeEntry(Answer):
    """A time entry as the API answers it (``views.entry_view``): names beside their ids,
    ``tags`` as a comma string, ``duration_formatted`` live while it runs."""

    id: int
    user_id: int
    user: str | None
    project_id: int | None
    project: str | None
    client_id: int | None
    client: str | None
    task_id: int | None
    task: str | None
    start_time: datetime
    end_time: datetime | None
    duration_seconds: int | None
    break_seconds: int
    paused_at: datetime | None
    duration_hours: float
    duration_formatted: str
    notes: str | None
    tags: str | None
    tag_list: list[str]
    source: str
    billable: bool
    paid: bool
    invoice_number: str | None
    is_active: bool
    is_paused: bool
    approval_status: ApprovalStatus | None
    created_at: datetime
    updated_at: datetime


class TimeEntryAnswer(Answer):
    time_entry: TimeEntry


class TimeEntrySaved(Answer):
    """A create (201), an update, or a timer stopped, paused or resumed."""

    message: str
    time_entry: TimeEntry


TimeEntryPage = page_of(TimeEntry, "time_entries", "TimeEntryPage")
