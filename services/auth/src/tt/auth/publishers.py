"""What auth publishes: ``tt.auth.users`` (entity ``user``) and ``tt.auth.tokens``
(entity ``api_token``), with the state their contracts fix (tt.common.contracts.auth),
through tt.common's publisher. Never a password
hash, a token or a token hash."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.auth.tokens.models import ApiToken
from tt.auth.users.models import User
from tt.common.contracts import EventType
from tt.common.contracts import auth as contracts
from tt.common.outbox import Outbox
from tt.common.publisher import Publisher

# The entity names, for code that matches events by entity (the token cache's listener).
USER = contracts.USER.name
API_TOKEN = contracts.API_TOKEN.name


def user_state(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "full_name": user.full_name,
        "is_admin": user.is_admin,
        "is_active": user.is_active,
        "timezone": user.timezone,
        "role": user.role,
        "default_hourly_rate": user.default_hourly_rate,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
    }


def token_state(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "user_id": token.user_id,
        "scopes": list(token.scopes),
        "token_prefix": token.token_prefix,
        "expires_at": token.expires_at,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


async def publish_user(
    outbox: Outbox, session: AsyncSession, user: User, event_type: EventType
) -> None:
    """Queue ``event_type`` (one of ``contracts.USER``'s) for ``user``."""
    await Publisher(outbox).emit(
        session,
        event_type,
        entity_id=user.id,
        version=user.version,
        state=user_state(user),
    )


async def publish_token(
    outbox: Outbox, session: AsyncSession, token: ApiToken, event_type: EventType
) -> None:
    """Queue ``event_type`` (one of ``contracts.API_TOKEN``'s) for ``token``."""
    await Publisher(outbox).emit(
        session,
        event_type,
        entity_id=token.id,
        version=token.version,
        state=token_state(token),
    )
