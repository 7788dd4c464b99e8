"""Request bodies of the tokens API and the token object (never the token or its hash)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from tt.auth.tokens.models import ApiToken
from tt.common.fields import MAX_ID, NoNul
from tt.common.identity import ALL_SCOPES

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoNul]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), NoNul]
ExpiresInDays = Annotated[int, Field(ge=1, le=3650)]
PerMinute = Annotated[int, Field(ge=1, le=1_000_000)]
PerHour = Annotated[int, Field(ge=1, le=100_000_000)]


def valid_scopes(scopes: list[str]) -> list[str]:
    unknown = sorted({s for s in scopes if s not in ALL_SCOPES})
    if unknown:
        raise ValueError(f"Unknown scopes: {', '.join(unknown)}; known: {', '.join(ALL_SCOPES)}")
    if not scopes:
        raise ValueError("At least one scope is required")
    # One copy of each, in the contract's order.
    return [s for s in ALL_SCOPES if s in scopes]


def future_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if value <= datetime.now(UTC):
        raise ValueError("expires_at must be in the future")
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
            raise ValueError("Give expires_at or expires_in_days, not both")
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


def token_out(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "description": token.description,
        "user_id": token.user_id,
        "token_prefix": token.token_prefix,
        "scopes": list(token.scopes),
        "expires_at": token.expires_at,
        "created_at": token.created_at,
        "updated_at": token.updated_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
        "is_active": token.is_active,
        "rate_limit_per_minute": token.rate_limit_per_minute,
        "rate_limit_per_hour": token.rate_limit_per_hour,
    }
