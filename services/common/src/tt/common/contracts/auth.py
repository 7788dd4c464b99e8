"""What the auth service publishes: users and API tokens (never a password, a token or a
token hash)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from tt.common.contracts import Entity, EventState, Id, Instant


class UserState(EventState):
    id: Id
    username: str
    email: str | None
    full_name: str | None
    is_admin: bool
    is_active: bool
    timezone: str | None = Field(description="an IANA zone name")
    role: str | None = Field(description='"admin" | "user"')
    default_hourly_rate: Decimal | None = Field(description="a JSON number or null")
    created_at: Instant | None
    updated_at: Instant | None


class ApiTokenState(EventState):
    id: Id
    name: str
    user_id: Id
    scopes: list[str]
    token_prefix: str | None
    expires_at: Instant | None
    created_at: Instant | None
    last_used_at: Instant | None
    revoked_at: Instant | None


USER = Entity("user", "tt.auth.users", UserState, "A user account.")
USER_CREATED = USER.event_type("tt.user.created", "A user was created.")
USER_UPDATED = USER.event_type("tt.user.updated", "A user changed (timezone, admin flag, ...).")
USER_DELETED = USER.event_type("tt.user.deleted", "A user was deleted (the last state).")

API_TOKEN = Entity("api_token", "tt.auth.tokens", ApiTokenState, "An API token (never its text).")
API_TOKEN_CREATED = API_TOKEN.event_type("tt.api_token.created", "A token was created.")
API_TOKEN_UPDATED = API_TOKEN.event_type(
    "tt.api_token.updated",
    "A token changed (name, description, scopes, expiry or rate limits; its last use is"
    " recorded without an event).",
)
API_TOKEN_DELETED = API_TOKEN.event_type("tt.api_token.deleted", "A token was revoked.")

ENTITIES = (USER, API_TOKEN)
