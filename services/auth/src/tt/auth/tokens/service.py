"""API token use cases. They take a session and never commit; each change is one event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tt.auth.credentials import TOKEN_DISPLAY_LENGTH, digest, new_api_token
from tt.auth.publishers import publish_token
from tt.auth.tokens import repository
from tt.auth.tokens.models import ApiToken
from tt.auth.tokens.schemas import TokenUpdate
from tt.auth.users import repository as users
from tt.common.contracts import auth as contracts
from tt.common.errors import Conflict, NotFound, ValidationFailed
from tt.common.outbox import Outbox

# Marks the tokens POST /api/v1/auth/login issues: they end with the user's sign-ins.
APP_LOGIN_DESCRIPTION = "Token issued via desktop/mobile app login"


async def create_token(
    session: AsyncSession,
    outbox: Outbox,
    *,
    user_id: int,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    description: str | None = None,
    limits: tuple[int | None, int | None] = (None, None),
) -> tuple[ApiToken, str]:
    """A new token for ``user_id``; returns it with its text, which is never stored."""
    user = await users.get(session, user_id)
    if user is None:
        raise ValidationFailed.field("user_id", f"User {user_id} does not exist")
    if not user.is_active:
        raise ValidationFailed.field("user_id", f"User {user_id} is deactivated")
    text = new_api_token()
    token = ApiToken(
        user_id=user_id,
        name=name,
        description=description or None,
        token_hash=digest(text),
        token_prefix=text[:TOKEN_DISPLAY_LENGTH],
        scopes=scopes,
        expires_at=expires_at,
        rate_limit_per_minute=limits[0],
        rate_limit_per_hour=limits[1],
        version=1,
    )
    session.add(token)
    await session.flush()
    await publish_token(outbox, session, token, contracts.API_TOKEN_CREATED)
    return token, text


def expiry_in_days(days: int | None) -> datetime | None:
    return datetime.now(UTC) + timedelta(days=days) if days else None


async def get_token(session: AsyncSession, token_id: int) -> ApiToken:
    token = await repository.get(session, token_id)
    if token is None:
        raise NotFound(f"API token {token_id} not found", error="API token not found")
    return token


async def update_token(
    session: AsyncSession, outbox: Outbox, token_id: int, data: TokenUpdate
) -> ApiToken:
    token = await repository.get(session, token_id, for_update=True)
    if token is None:
        raise NotFound(f"API token {token_id} not found", error="API token not found")
    if token.revoked_at is not None:
        raise Conflict("A revoked token cannot be changed", error="Token revoked")
    changes = {name: getattr(data, name) for name in data.model_fields_set}
    for required in ("name", "scopes"):
        if required in changes and changes[required] is None:
            raise ValidationFailed.field(required, "This field cannot be null")
    for name, value in changes.items():
        setattr(token, name, value)
    if session.is_modified(token):
        token.version += 1
        await session.flush()
        await publish_token(outbox, session, token, contracts.API_TOKEN_UPDATED)
    return token


async def revoke_token(session: AsyncSession, outbox: Outbox, token_id: int) -> ApiToken:
    """Revoke (idempotent); the row stays for the audit trail, the event says ``deleted``."""
    token = await repository.get(session, token_id, for_update=True)
    if token is None:
        raise NotFound(f"API token {token_id} not found", error="API token not found")
    if token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
        token.version += 1
        await session.flush()
        await publish_token(outbox, session, token, contracts.API_TOKEN_DELETED)
    return token


async def revoke_app_logins(session: AsyncSession, outbox: Outbox, user_id: int) -> list[int]:
    """Revoke every live token the app login issued to ``user_id``; returns their ids.

    A password change, a demotion or a deactivation ends the user's sign-ins; tokens an
    administrator issued on purpose stay (their admin:all stops counting at verify)."""
    query = (
        select(ApiToken)
        .where(
            ApiToken.user_id == user_id,
            ApiToken.revoked_at.is_(None),
            ApiToken.description == APP_LOGIN_DESCRIPTION,
        )
        .with_for_update()
    )
    revoked: list[int] = []
    for token in (await session.execute(query)).scalars():
        token.revoked_at = datetime.now(UTC)
        token.version += 1
        await session.flush()
        await publish_token(outbox, session, token, contracts.API_TOKEN_DELETED)
        revoked.append(token.id)
    return revoked


async def cap_app_logins(session: AsyncSession, outbox: Outbox, user_id: int, keep: int) -> None:
    """Revoke the user's oldest live app-login tokens beyond the newest ``keep``: every app
    login mints a token (its text cannot be shown again, so none is reused), and this
    bounds how many a user's logins leave alive."""
    query = (
        select(ApiToken)
        .where(
            ApiToken.user_id == user_id,
            ApiToken.revoked_at.is_(None),
            ApiToken.description == APP_LOGIN_DESCRIPTION,
        )
        .order_by(ApiToken.id.desc())
        .offset(keep)
        .with_for_update()
    )
    for token in (await session.execute(query)).scalars():
        token.revoked_at = datetime.now(UTC)
        token.version += 1
        await session.flush()
        await publish_token(outbox, session, token, contracts.API_TOKEN_DELETED)
