"""Queries on ``users``."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tt.auth.users.models import User
from tt.common.pagination import PageParams


async def get(session: AsyncSession, user_id: int, *, for_update: bool = False) -> User | None:
    if for_update:
        query = select(User).where(User.id == user_id).with_for_update()
        return (await session.execute(query)).scalar_one_or_none()
    return await session.get(User, user_id)


async def by_username(session: AsyncSession, username: str) -> User | None:
    query = select(User).where(func.lower(User.username) == username.lower())
    return (await session.execute(query)).scalar_one_or_none()


async def username_taken(
    session: AsyncSession, username: str, *, besides: int | None = None
) -> bool:
    query = select(User.id).where(func.lower(User.username) == username.lower())
    if besides is not None:
        query = query.where(User.id != besides)
    return (await session.execute(query.limit(1))).first() is not None


async def email_taken(session: AsyncSession, email: str, *, besides: int | None = None) -> bool:
    query = select(User.id).where(func.lower(User.email) == email.lower())
    if besides is not None:
        query = query.where(User.id != besides)
    return (await session.execute(query.limit(1))).first() is not None


async def page(
    session: AsyncSession, params: PageParams, *, is_active: bool | None, search: str | None
) -> tuple[Sequence[User], int]:
    query = select(User)
    if is_active is not None:
        query = query.where(User.is_active.is_(is_active))
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            User.username.ilike(pattern) | User.email.ilike(pattern) | User.full_name.ilike(pattern)
        )
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = (
        (
            await session.execute(
                query.order_by(User.username, User.id).offset(params.offset).limit(params.per_page)
            )
        )
        .scalars()
        .all()
    )
    return rows, int(total)


async def other_active_admins(session: AsyncSession, user_id: int) -> int:
    query = select(func.count()).where(
        User.is_admin.is_(True), User.is_active.is_(True), User.id != user_id
    )
    return int((await session.execute(query)).scalar_one())
