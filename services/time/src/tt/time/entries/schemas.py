"""Request bodies of the time-entry routes. Entry bodies are strict, as the reference
server's schemas are: an unknown key is a 400, not silently dropped."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StrictBool

from tt.common.fields import STRICT, BodyId
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
