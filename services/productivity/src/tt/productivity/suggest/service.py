"""What to track next, deterministically: the caller's most likely project/task pairs
for this weekday and time of day, from their recent entries, with the last notes used.
No model is called, and the answer says so. Not cached: the answer follows the hour, and
it is one bounded query."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.identity import Identity
from tt.productivity.analytics.timezones import local_wall_time
from tt.productivity.answers import read_snapshot
from tt.productivity.runtime import Runtime
from tt.productivity.suggest import repository as repo
from tt.productivity.suggest import views
from tt.productivity.suggest.repository import Pair
from tt.productivity.viewer import Viewer, viewer_for

WINDOW_DAYS = 90
SCAN_ENTRIES = 2000


def confidence(share: float) -> str:
    """TimeTracker's labels for a 0..1 confidence."""
    if share >= 0.7:
        return "high"
    return "medium" if share >= 0.4 else "low"


def _matches(pair: Pair, needle: str) -> bool:
    return any(needle in (text or "").lower() for text in (pair.project_name, pair.task_name))


async def suggestions_for(rt: Runtime, identity: Identity, q: str, limit: int) -> dict[str, Any]:
    """The caller's suggestions, in one read-only snapshot."""
    async with read_snapshot(rt.sessions) as session:
        viewer = await viewer_for(session, identity.user_id, identity.timezone)
        return await suggestions(session, viewer, q, limit)


async def suggestions(session: AsyncSession, viewer: Viewer, q: str, limit: int) -> dict[str, Any]:
    local_now = local_wall_time(viewer.now, viewer.zone.zone)
    pairs = await repo.recent_pairs(
        session,
        viewer.user_id,
        viewer.now - timedelta(days=WINDOW_DAYS),
        local_now.isoweekday(),
        local_now.hour,
        SCAN_ENTRIES,
    )
    total = sum(p.score for p in pairs)
    needle = q.strip().lower()
    chosen = [p for p in pairs if _matches(p, needle)] if needle else pairs
    return views.suggestions_view(
        viewer,
        [views.suggestion_view(p, confidence(p.score / total)) for p in chosen[:limit]],
        local_now,
        WINDOW_DAYS,
    )
