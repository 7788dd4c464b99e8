"""The shape of a project's forecast answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from tt.productivity.forecast.repository import ProjectPlan
from tt.productivity.formats import utc_text


def forecast_view(
    plan: ProjectPlan,
    figures: dict[str, Any],
    *,
    since: datetime,
    today: date,
    zone: str,
    now: datetime,
) -> dict[str, Any]:
    """``figures`` (``project_forecast``'s) with the window and the day they count from."""
    return {
        "ok": True,
        "project_id": plan.project_id,
        "ai_enabled": False,
        "forecast": {
            **figures,
            "burn_window_start": utc_text(since),
            "today": today.isoformat(),
            "timezone": zone,
            "generated_at": utc_text(now),
        },
    }
