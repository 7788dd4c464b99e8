"""The request body of the TimeTrack keys API and the answers it documents."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from tt.common.fields import MAX_ID
from tt.common.openapi import page_of


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: int = Field(ge=1, le=MAX_ID)


class KeyOut(BaseModel):
    """A key pair as the admin API shows it: never its secret or the secret's hash."""

    id: int
    user_id: int
    api_key: str = Field(description="ttk_ + 24 characters, sent as X-TimeTrack-Api-Key")
    created_at: datetime
    revoked_at: datetime | None
    is_active: bool = Field(description="Not revoked")


class KeyCreated(BaseModel):
    timetrack_key: KeyOut
    api_secret: str = Field(description="Sent as X-TimeTrack-Api-Secret: shown this once")
    message: str


class KeyAnswer(BaseModel):
    timetrack_key: KeyOut


class KeyRevoked(BaseModel):
    message: str
    timetrack_key: KeyOut


KeyPage = page_of(KeyOut, "timetrack_keys", "TimeTrackKeyPage")
