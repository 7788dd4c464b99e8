"""Queries on the users projection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.bulk import as_arrays, unnest_upsert
from tt.common.contracts.auth import UserState
from tt.common.identity import Identity
from tt.time.users.models import UserRecord

# Ids this process has already recorded; the projection only ever gains users.
_known: set[int] = set()


async def remember(session: AsyncSession, identity: Identity) -> None:
    """Record the caller from its signed identity if the projection has not heard of them
    yet (their ``tt.auth.users`` event may still be on its way); events always win."""
    if identity.user_id in _known:
        return
    await session.execute(
        insert(UserRecord)
        .values(id=identity.user_id, username=identity.username, timezone=identity.timezone)
        .on_conflict_do_nothing(index_elements=[UserRecord.id])
    )
    _known.add(identity.user_id)


async def find(session: AsyncSession, user_id: int) -> UserRecord | None:
    return await session.get(UserRecord, user_id)


async def timezone_of(conn: Any, user_id: int) -> str | None:
    """A user's timezone from the projection, on a raw connection (None: not heard of)."""
    zone: str | None = await conn.fetchval("SELECT timezone FROM users WHERE id = $1", user_id)
    return zone


async def usernames(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = await session.execute(
        select(UserRecord.id, UserRecord.username).where(UserRecord.id.in_(ids))
    )
    return {row.id: row.username for row in rows}


USER_COLUMNS = (
    ("id", "bigint"),
    ("username", "text"),
    ("email", "text"),
    ("full_name", "text"),
    ("timezone", "text"),
    ("role", "text"),
    ("is_admin", "boolean"),
    ("is_active", "boolean"),
    ("deleted", "boolean"),
)
_UPSERT_USERS = unnest_upsert("users", USER_COLUMNS, ["id"], also_set="updated_at = now()")


def user_values(state: UserState, *, deleted: bool) -> dict[str, Any]:
    """The projection's row for the state an auth event carries."""
    return {
        "id": state.id,
        "username": state.username,
        "email": state.email,
        "full_name": state.full_name,
        "timezone": state.timezone or "UTC",
        "role": state.role,
        "is_admin": state.is_admin,
        "is_active": state.is_active and not deleted,
        "deleted": deleted,
    }


async def apply_states(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Upsert users (``user_values`` rows, one per id) in one statement."""
    if rows:
        await session.execute(_UPSERT_USERS, as_arrays(USER_COLUMNS, rows))
