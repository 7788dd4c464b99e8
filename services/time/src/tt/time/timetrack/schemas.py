"""Request bodies and answers of the TimeTrack entry API, under its own field names
(seed 004).

Where the seed spells a field two ways, both are accepted: ``user`` or ``username``,
``details`` or ``notes``. Unknown keys are ignored (a client may send back a whole entry,
``ID`` and ``workedMinutes`` included).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool
from pydantic_core import PydanticCustomError

from tt.common.fields import LENIENT, refuse_nul
from tt.common.openapi import Answer
from tt.time.web.fields import LongText, Money, Name, Timestamp

Minutes = Annotated[int, Field(ge=0, le=7 * 24 * 60, strict=True)]


def _coordinate(limit: float) -> Any:
    def check(value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise PydanticCustomError("coordinate_type", "Must be a number (decimal degrees)")
        try:
            degrees = float(value)
        except ValueError:
            raise PydanticCustomError(
                "coordinate_parsing", "Must be a number (decimal degrees)"
            ) from None
        if not -limit <= degrees <= limit:
            raise PydanticCustomError("coordinate_range", f"Must be between -{limit} and {limit}")
        return str(value).strip()[:32]

    return BeforeValidator(check)


Latitude = Annotated[str, _coordinate(90)]
Longitude = Annotated[str, _coordinate(180)]


def _hashtags(value: Any) -> str:
    """Hashtags (``"#dev #api"``, or comma-separated) as v1 stores tags: ``dev,api``."""
    if not isinstance(value, str):
        raise PydanticCustomError("tags_type", "Must be a string of hashtags")
    tags = [t.strip().lstrip("#") for t in refuse_nul(value).replace(",", " ").split()]
    joined = ",".join(dict.fromkeys(t for t in tags if t))
    if len(joined) > 500:
        raise PydanticCustomError("string_too_long", "Must be at most 500 characters")
    return joined


Hashtags = Annotated[str, BeforeValidator(_hashtags)]


class EntryFields(BaseModel):
    """What create and update share."""

    model_config = LENIENT

    task: Name | None = None
    hourRate: Money | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    latitude1: Latitude | None = None
    longitude1: Longitude | None = None
    billable: StrictBool | None = None
    flatRate: StrictBool | None = None
    details: LongText | None = None
    notes: LongText | None = None
    tags: Hashtags | None = None
    start: Timestamp | None = Field(default=None, alias="from")
    end: Timestamp | None = Field(default=None, alias="to")
    workedMinutes: Minutes | None = None
    breakMinutes: Minutes | None = None
    # Not TimeTrack's: entries over 24 hours are refused unless this says they are meant.
    allowLongDuration: StrictBool = False

    @property
    def text(self) -> str | None:
        return self.details if self.details is not None else self.notes


class EntryCreate(EntryFields):
    """Required: ``clientName``, ``projectName``, ``user`` (or ``username``), ``from``,
    ``to`` (checked by the service, so every missing one is reported at once)."""

    clientName: Name | None = None
    projectName: Name | None = None
    user: Name | None = None
    username: Name | None = None

    @property
    def owner(self) -> str | None:
        return self.user or self.username


class EntryUpdate(EntryCreate):
    """Every field of the entry; ``clientName``, ``projectName`` and ``user`` may only
    repeat the entry's own values (they cannot be changed)."""


class TimeTrackEntry(Answer):
    """A project time entry in TimeTrack's shape (``views.timetrack_view``); times are
    written ``YYYY-MM-DDTHH:MM:SS.fffZ``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    ID: int
    user: str | None
    clientName: str | None
    projectName: str | None
    task: str | None
    hourRate: float | None
    latitude: str | None
    longitude: str | None
    latitude1: str | None
    longitude1: str | None
    billable: bool
    flatRate: bool
    details: str | None
    tags: str | None = Field(description='Hashtags: "#dev #api"')
    start: datetime = Field(alias="from")
    end: datetime | None = Field(alias="to")
    workedMinutes: int | None
    breakMinutes: int | None
