"""Queries on ``api_tokens``."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tt.auth.tokens.models import ApiToken
from tt.common.pagination import PageParams


async def get(session: AsyncSession, token_id: int, *, for_update: bool = False) -> ApiToken | None:
    if for_update:
        query = select(ApiToken).where(ApiToken.id == token_id).with_for_update()
        return (await session.execute(query)).scalar_one_or_none()
    return await session.get(ApiToken, token_id)


async def page(
    session: AsyncSession, params: PageParams, *, user_id: int | None, active: bool | None
) -> tuple[Sequence[ApiToken], int]:
    query = select(ApiToken)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    if active is True:
        query = query.where(ApiToken.revoked_at.is_(None))
    elif active is False:
        query = query.where(ApiToken.revoked_at.is_not(None))
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    rows = (
        (
            await session.execute(
                query.order_by(ApiToken.id.desc()).offset(params.offset).limit(params.per_page)
            )
        )
        .scalars()
        .all()
    )
    return rows, int(total)
