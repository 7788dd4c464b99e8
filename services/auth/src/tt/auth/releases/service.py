"""The version check and per-admin dismissals."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tt.auth.releases.feed import ReleaseFeed
from tt.auth.releases.models import DismissedRelease
from tt.auth.releases.versions import is_upgrade, normalise
from tt.common.errors import ValidationFailed

_MESSAGES = {
    "ok": None,
    "not_configured": "No release feed is configured",
    "unavailable": "The release feed could not be reached",
    "invalid": "The release feed did not describe a release",
}


async def check(
    session: AsyncSession, feed: ReleaseFeed, user_id: int, current_version: str
) -> dict[str, Any]:
    status, release = await feed.latest()
    current = normalise(current_version)
    available = release is not None and is_upgrade(current, release.version)
    if available and release is not None:
        dismissed = await session.get(DismissedRelease, (user_id, release.version))
        available = dismissed is None
    return {
        "update_available": available,
        "current_version": current_version,
        "latest_version": release.version if release else None,
        "release_notes": release.release_notes if release else None,
        "published_at": release.published_at if release else None,
        "release_url": release.release_url if release else None,
        "check_status": status,
        "check_message": _MESSAGES[status],
    }


async def dismiss(session: AsyncSession, user_id: int, raw_version: Any) -> str:
    version = normalise(raw_version)
    if version is None:
        raise ValidationFailed.field(
            "latest_version", "A release version such as 4.1.0 is required"
        )
    await session.execute(
        insert(DismissedRelease)
        .values(user_id=user_id, version=version)
        .on_conflict_do_nothing(index_elements=["user_id", "version"])
    )
    return version
