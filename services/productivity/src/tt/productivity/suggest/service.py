"""What to track next, deterministically: the caller's most likely project/task pairs
for this weekday and time of day, from their recent entries, with the last notes used.
No model is called, and the answer says so."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.productivity.analytics.days import WEEKDAYS
from tt.productivity.analytics.timezones import local_wall_time
from tt.productivity.stats.service import Viewer, utc_text
from tt.productivity.suggest import repository as repo
from tt.productivity.suggest.repository import Pair

WINDOW_DAYS = 90
SCAN_ENTRIES = 2000
MESSAGE = (
    "Suggestions come from your own entries of the last 90 days, weighted by weekday and "
    "time of day; no AI model was called."
)


def confidence(share: float) -> str:
    """TimeTracker's labels for a 0..1 confidence."""
    if share >= 0.7:
        return "high"
    return "medium" if share >= 0.4 else "low"


def _matches(pair: Pair, needle: str) -> bool:
    return any(needle in (text or "").lower() for text in (pair.project_name, pair.task_name))


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
    return {
        "ok": True,
        "suggestions": [
            {
                "project_id": p.project_id,
                "project_name": p.project_name,
                "task_id": p.task_id,
                "task_name": p.task_name,
                "notes": p.notes or "",
                "tags": p.tags or "",
                "billable": p.billable,
                "confidence": confidence(p.score / total),
                "score": p.score,
                "uses": p.uses,
                "last_used_at": utc_text(p.last_used),
                "source": "deterministic",
            }
            for p in chosen[:limit]
        ],
        "source": "deterministic",
        "ai_enabled": False,
        "model_called": False,
        "message": MESSAGE,
        "based_on": {
            "weekday": WEEKDAYS[local_now.weekday()],
            "hour": local_now.hour,
            "window_days": WINDOW_DAYS,
        },
        "timezone": viewer.zone.name,
        "timezone_warning": viewer.zone.warning,
        "generated_at": utc_text(viewer.now),
    }
