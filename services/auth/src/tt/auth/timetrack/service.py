"""TimeTrack key use cases: the secret is returned once and stored as a digest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tt.auth.credentials import digest, new_timetrack_key
from tt.auth.timetrack.models import TimeTrackKey
from tt.auth.users import repository as users
from tt.common.errors import NotFound, ValidationFailed
from tt.common.pagination import PageParams


async def create_key(session: AsyncSession, user_id: int) -> tuple[TimeTrackKey, str]:
    user = await users.get(session, user_id)
    if user is None:
        raise ValidationFailed.field("user_id", f"User {user_id} does not exist")
    if not user.is_active:
        raise ValidationFailed.field("user_id", f"User {user_id} is deactivated")
    api_key, secret = new_timetrack_key()
    key = TimeTrackKey(user_id=user_id, api_key=api_key, secret_hash=digest(secret))
    session.add(key)
    await session.flush()
    await session.refresh(key, ["created_at"])
    return key, secret


async def get_key(session: AsyncSession, key_id: int) -> TimeTrackKey:
    key = await session.get(TimeTrackKey, key_id)
    if key is None:
        raise NotFound(f"TimeTrack key {key_id} not found", error="TimeTrack key not found")
    return key


async def page(
    session: AsyncSession, params: PageParams, *, user_id: int | None
) -> tuple[Sequence[TimeTrackKey], int]:
    query = select(TimeTrackKey)
    if user_id is not None:
        query = query.where(TimeTrackKey.user_id == user_id)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = (
        (
            await session.execute(
                query.order_by(TimeTrackKey.id.desc()).offset(params.offset).limit(params.per_page)
            )
        )
        .scalars()
        .all()
    )
    return rows, int(total)


async def revoke_key(session: AsyncSession, key_id: int) -> TimeTrackKey:
    key = await get_key(session, key_id)
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        await session.flush()
    return key
