"""The user's timezone, and instants turned into the user's local wall-clock time.

A day is the user's local calendar day: an instant belongs to the day its local
wall-clock time falls on, whatever the offset that day (DST included).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

UTC_ZONE = ZoneInfo("UTC")


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    # Only names of the IANA database: ZoneInfo would also open any file under the zoneinfo
    # folder, and Debian's folder lists the machine's own "localtime" among the zones.
    return frozenset(available_timezones()) - {"localtime", "posixrules", "posix", "right"}


@dataclass(frozen=True, slots=True)
class UserZone:
    """The zone days are computed in, and what the user record asked for."""

    zone: ZoneInfo
    requested: str | None = None

    @property
    def name(self) -> str:
        return self.zone.key

    @property
    def fell_back(self) -> bool:
        """The record named a zone we do not know, so UTC is used instead."""
        return bool(self.requested) and self.requested != self.name

    @property
    def warning(self) -> str | None:
        if not self.fell_back:
            return None
        return f"Unknown timezone {self.requested!r} in the user record; days are computed in UTC"


@lru_cache(maxsize=1024)
def resolve_zone(name: str | None) -> UserZone:
    """The zone named ``name``; UTC (marked as a fallback) if the name is unknown."""
    cleaned = (name or "").strip()
    if not cleaned:
        return UserZone(UTC_ZONE)
    if cleaned in _known_zones():
        return UserZone(ZoneInfo(cleaned), cleaned)
    return UserZone(UTC_ZONE, cleaned)


def local_wall_time(instant: datetime, zone: ZoneInfo) -> datetime:
    """``instant`` as a naive local wall-clock time (naive instants are taken as UTC)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(zone).replace(tzinfo=None)


def local_day(instant: datetime, zone: ZoneInfo) -> date:
    return local_wall_time(instant, zone).date()


def today_in(zone: ZoneInfo, now: datetime) -> date:
    """The user's current local date at ``now`` (an aware instant)."""
    return local_day(now, zone)
