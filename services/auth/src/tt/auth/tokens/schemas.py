"""Request bodies of the tokens API and the answers it documents (never a token's hash)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from tt.auth.refusals import refused
from tt.common.fields import MAX_ID, NoNul
from tt.common.identity import ALL_SCOPES
from tt.common.openapi import page_of

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoNul]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), NoNul]
ExpiresInDays = Annotated[int, Field(ge=1, le=3650)]
PerMinute = Annotated[int, Field(ge=1, le=1_000_000)]
PerHour = Annotated[int, Field(ge=1, le=100_000_000)]


def valid_scopes(scopes: list[str]) -> list[str]:
    unknown = sorted({s for s in scopes if s not in ALL_SCOPES})
    if unknown:
        raise refused(f"Unknown scopes: {', '.join(unknown)}; known: {', '.join(ALL_SCOPES)}")
    if not scopes:
        raise refused("At least one scope is required")
    # One copy of each, in the contract's order.
    return [s for s in ALL_SCOPES if s in scopes]


def future_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if value <= datetime.now(UTC):
        raise refused("expires_at must be in the future")
    return value


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    user_id: int = Field(ge=1, le=MAX_ID)
    scopes: list[str] = Field(max_length=len(ALL_SCOPES) * 2)
    description: Description | None = None
    expires_at: datetime | None = None
    expires_in_days: ExpiresInDays | None = None
    # Overrides of the per-token limits for automation tokens (null: the defaults).
    rate_limit_per_minute: PerMinute | None = None
    rate_limit_per_hour: PerHour | None = None

    _check_scopes = field_validator("scopes")(valid_scopes)
    _check_expiry = field_validator("expires_at")(future_utc)

    @model_validator(mode="after")
    def _one_expiry(self) -> TokenCreate:
        if self.expires_at is not None and self.expires_in_days is not None:
            raise refused("Give expires_at or expires_in_days, not both")
        return self


class TokenUpdate(BaseModel):
    """Name, description, scopes and expiry can change; owner and secret cannot."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: Description | None = None
    scopes: list[str] | None = Field(default=None, max_length=len(ALL_SCOPES) * 2)
    expires_at: datetime | None = None
    rate_limit_per_minute: PerMinute | None = None
    rate_limit_per_hour: PerHour | None = None

    @field_validator("scopes")
    @classmethod
    def _scopes(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else valid_scopes(value)

    _check_expiry = field_validator("expires_at")(future_utc)


class TokenOut(BaseModel):
    """A token as the admin API shows it: never its text or its hash."""

    id: int
    name: str
    description: str | None
    user_id: int
    token_prefix: str = Field(description="The token's first characters, to tell tokens apart")
    scopes: list[str]
    expires_at: datetime | None
    created_at: datetime
    updated_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    is_active: bool = Field(description="Not revoked")
    rate_limit_per_minute: int | None = Field(description="Null: the platform's default")
    rate_limit_per_hour: int | None = Field(description="Null: the platform's default")


class TokenCreated(BaseModel):
    api_token: TokenOut
    token: str = Field(description="tt_ + 32 characters: shown this once, never again")
    message: str


class TokenAnswer(BaseModel):
    api_token: TokenOut


class TokenChanged(BaseModel):
    """An update's or revocation's answer."""

    message: str
    api_token: TokenOut


TokenPage = page_of(TokenOut, "api_tokens", "TokenPage")
