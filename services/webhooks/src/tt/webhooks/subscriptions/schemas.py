"""Request and response bodies of the subscription API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from tt.common.fields import NoNul
from tt.common.openapi import page_of

MAX_GLOBS = 50


Text = Annotated[str, NoNul]


class WebhookCreate(BaseModel):
    """``POST /api/v1/webhooks``. ``is_active`` is accepted as TimeTracker spells it."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    url: str = Field(min_length=1, max_length=2048)
    events: list[str] = Field(min_length=1, max_length=MAX_GLOBS)
    active: bool = Field(default=True, validation_alias=AliasChoices("active", "is_active"))
    name: Text | None = Field(default=None, max_length=200)
    description: Text | None = Field(default=None, max_length=1000)


class WebhookUpdate(BaseModel):
    """``PUT``/``PATCH /api/v1/webhooks/<id>``: the fields given are changed."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    url: str | None = Field(default=None, min_length=1, max_length=2048)
    events: list[str] | None = Field(default=None, min_length=1, max_length=MAX_GLOBS)
    active: bool | None = Field(default=None, validation_alias=AliasChoices("active", "is_active"))
    name: Text | None = Field(default=None, max_length=200)
    description: Text | None = Field(default=None, max_length=1000)


class RotateSecret(BaseModel):
    """``POST /api/v1/webhooks/<id>/rotate-secret``: how long the old secret still signs."""

    model_config = ConfigDict(extra="ignore")

    grace_period_seconds: int | None = Field(default=None, ge=0, le=7 * 86_400)


class WebhookOut(BaseModel):
    """A subscription as the API shows it (never its secret)."""

    id: int
    name: str | None
    description: str | None
    url: str
    events: list[str]
    active: bool
    user_id: int = Field(description="The owner")
    disabled_reason: str | None = Field(description="gone (410), owner_deactivated, or null")
    disabled_at: datetime | None
    secret_rotated_at: datetime | None
    previous_secret_expires_at: datetime | None = Field(
        description="Until then the previous secret signs too (a second v1 signature)"
    )
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(WebhookOut):
    secret: str = Field(description="whsec_ + base64: shown only by create and rotate")


class WebhookAnswer(BaseModel):
    webhook: WebhookOut


class WebhookUpdated(BaseModel):
    webhook: WebhookOut
    message: str


class WebhookWithSecretAnswer(BaseModel):
    """Creation and rotation: the only answers that show the secret."""

    webhook: WebhookWithSecret
    secret: str = Field(description="whsec_ + base64: the same as webhook.secret")
    message: str


class WebhookDeleted(BaseModel):
    message: str


WebhookPage = page_of(WebhookOut, "webhooks", "WebhookPage")


class EventTypes(BaseModel):
    events: list[str]
