"""The request body of the version dismissal and the answers of the version check."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from tt.auth.releases.feed import FeedStatus


class DismissRelease(BaseModel):
    """``POST /api/version/dismiss``: the release this admin no longer wants to hear of."""

    model_config = ConfigDict(extra="ignore")

    # Any JSON value is taken; one that is not a version is refused by the route, with
    # the same field error as a missing one.
    latest_version: Annotated[
        Any, WithJsonSchema({"type": "string", "examples": ["4.1.0", "v4.1.0-rc.1"]})
    ] = None


class VersionCheck(BaseModel):
    update_available: bool = Field(description="A newer release this admin has not dismissed")
    current_version: str
    latest_version: str | None
    release_notes: str | None
    published_at: str | None = Field(description="As the release feed gives it")
    release_url: str | None
    check_status: FeedStatus
    check_message: str | None = Field(description="Why the check found no release; null if ok")


class Dismissed(BaseModel):
    ok: bool
    dismissed_version: str = Field(description="The version, normalised (no leading v)")
