"""Whose figures an answer holds, in which zone, at which instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tt.productivity.analytics.timezones import UserZone, today_in
from tt.productivity.stats.repository import user_zone


@dataclass(frozen=True, slots=True)
class Viewer:
    """Whose stats, in which zone, at which instant."""

    user_id: int
    zone: UserZone
    now: datetime

    @property
    def today(self) -> date:
        return today_in(self.zone.zone, self.now)


async def viewer_for(
    session: AsyncSession, user_id: int, identity_timezone: str, now: datetime | None = None
) -> Viewer:
    zone = await user_zone(session, user_id, identity_timezone)
    return Viewer(user_id, zone, now or datetime.now(UTC))
