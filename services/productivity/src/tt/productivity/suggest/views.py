"""The shape of the suggestions answer (TimeTracker's field names)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tt.productivity.analytics.days import WEEKDAYS
from tt.productivity.formats import utc_text
from tt.productivity.stats.views import zone_view
from tt.productivity.suggest.repository import Pair
from tt.productivity.viewer import Viewer

SOURCE = "deterministic"
MESSAGE = (
    "Suggestions come from your own entries of the last 90 days, weighted by weekday and "
    "time of day; no AI model was called."
)


def suggestion_view(pair: Pair, confidence: str) -> dict[str, Any]:
    return {
        "project_id": pair.project_id,
        "project_name": pair.project_name,
        "task_id": pair.task_id,
        "task_name": pair.task_name,
        "notes": pair.notes or "",
        "tags": pair.tags or "",
        "billable": pair.billable,
        "confidence": confidence,
        "score": pair.score,
        "uses": pair.uses,
        "last_used_at": utc_text(pair.last_used),
        "source": SOURCE,
    }


def suggestions_view(
    viewer: Viewer, suggestions: Sequence[dict[str, Any]], local_now: datetime, window_days: int
) -> dict[str, Any]:
    """The answer: ``suggestions`` and what they were weighted by."""
    return {
        "ok": True,
        "suggestions": list(suggestions),
        "source": SOURCE,
        "ai_enabled": False,
        "model_called": False,
        "message": MESSAGE,
        "based_on": {
            "weekday": WEEKDAYS[local_now.weekday()],
            "hour": local_now.hour,
            "window_days": window_days,
        },
        **zone_view(viewer),
    }
