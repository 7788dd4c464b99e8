"""What the auth service publishes: users and API tokens (never a password, a token or a
token hash)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import Field

from tt.common.contracts import Entity, EventState


class UserState(EventState):
    id: int
    username: str
    email: str | None
    full_name: str | None
    is_admin: bool
    is_active: bool
    timezone: str | None = Field(description="an IANA zone name")
    role: str | None = Field(description='"admin" | "user"')
    default_hourly_rate: Decimal | None = Field(description="a JSON number or null")
    created_at: datetime | None
    updated_at: datetime | None


class ApiTokenState(EventState):
    id: int
    name: str
    user_id: int
    scopes: list[str]
    token_prefix: str | None
    expires_at: datetime | None
    created_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


USER = Entity("user", "tt.auth.users", UserState, "A user account.")
USER_CREATED = USER.event_type("created", "A user was created.")
USER_UPDATED = USER.event_type("updated", "A user changed (timezone, admin flag, ...).")
USER_DELETED = USER.event_type("deleted", "A user was deleted (the last state).")

API_TOKEN = Entity("api_token", "tt.auth.tokens", ApiTokenState, "An API token (never its text).")
API_TOKEN_CREATED = API_TOKEN.event_type("created", "A token was created.")
API_TOKEN_UPDATED = API_TOKEN.event_type(
    "updated",
    "A token changed (name, description, scopes, expiry or rate limits; its last use is"
    " recorded without an event).",
)
API_TOKEN_DELETED = API_TOKEN.event_type("deleted", "A token was revoked.")

ENTITIES = (USER, API_TOKEN)
