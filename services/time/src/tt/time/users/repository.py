"""Queries on the users projection."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

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


async def usernames(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = await session.execute(
        select(UserRecord.id, UserRecord.username).where(UserRecord.id.in_(ids))
    )
    return {row.id: row.username for row in rows}


async def apply_state(session: AsyncSession, state: dict[str, Any], *, deleted: bool) -> None:
    """Upsert one user from the state an auth event carries."""
    values = {
        "id": int(state["id"]),
        "username": str(state["username"]),
        "email": state.get("email"),
        "full_name": state.get("full_name"),
        "timezone": str(state.get("timezone") or "UTC"),
        "role": state.get("role"),
        "is_admin": bool(state.get("is_admin", False)),
        "is_active": bool(state.get("is_active", True)) and not deleted,
        "deleted": deleted,
        "updated_at": datetime.now(UTC),
    }
    statement = insert(UserRecord).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[UserRecord.id],
            set_={k: statement.excluded[k] for k in values if k != "id"},
        )
    )
