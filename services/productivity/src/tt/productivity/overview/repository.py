"""The one read behind the dashboard's figures besides the running timer: completed
seconds per local day, for the days asked for only (a year at most, not the user's
whole history)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tt.productivity.readmodel.models import UserDay


async def day_seconds(
    session: AsyncSession, user_id: int, first: date, last: date
) -> dict[date, float]:
    rows = await session.execute(
        select(UserDay.day, UserDay.seconds).where(
            UserDay.user_id == user_id,
            UserDay.day >= first,
            UserDay.day <= last,
            UserDay.entries > 0,
        )
    )
    return {day: float(seconds) for day, seconds in rows.all()}
