"""The user object every users answer carries (``UserOut`` in schemas.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tt.auth.users.models import User


def _status(user: User, now: datetime) -> str:
    # As the reference server: online within 15 minutes of the last login, away within an hour.
    if user.last_login is None:
        return "offline"
    since = now - user.last_login
    if since <= timedelta(minutes=15):
        return "online"
    return "away" if since <= timedelta(hours=1) else "offline"


def user_view(user: User) -> dict[str, Any]:
    """The user object (the reference server's fields, plus ``is_admin``); never a password."""
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "full_name": user.full_name,
        "display_name": user.full_name or user.username,
        "role": user.role,
        "is_admin": user.is_admin,
        "is_active": user.is_active,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "last_login": user.last_login,
        # Tracked hours live in the time service; auth does not know them.
        "total_hours": None,
        "avatar_url": None,
        "status": _status(user, datetime.now(UTC)),
        "date_format": user.date_format,
        "time_format": user.time_format,
        "timezone": user.timezone,
        "standard_hours_per_day": float(user.standard_hours_per_day),
        "overtime_include_weekends": user.overtime_include_weekends,
        "default_hourly_rate": user.default_hourly_rate,
    }
