"""Up to four plain-text tips drawn from figures already computed (as TimeTracker does)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

MAX_INSIGHTS = 4


def build_insights(
    *,
    week_hours: float,
    last_week_hours: float,
    current_streak: int,
    most_productive_hour: int | None,
    projects: Sequence[dict[str, Any]],
    billable_percent_week: int,
) -> list[str]:
    tips: list[str] = []
    if last_week_hours > 0 and week_hours != last_week_hours:
        diff = week_hours - last_week_hours
        pct = abs(round(diff / last_week_hours * 100))
        if pct >= 1:
            tips.append(
                f"You logged {pct}% {'more' if diff > 0 else 'less'} this week than last week"
            )
    if current_streak >= 3:
        tips.append(f"You've tracked time {current_streak} days in a row - keep it up!")
    if most_productive_hour is not None:
        h = most_productive_hour
        tips.append(f"Your most productive time is {h:02d}:00-{(h + 1) % 24:02d}:00")
    total = sum(float(p["hours"]) for p in projects)
    if projects and total > 0:
        pct = round(float(projects[0]["hours"]) / total * 100)
        if pct > 0:
            tips.append(f"{projects[0]['name']} accounted for {pct}% of your tracked time")
    if billable_percent_week > 0:
        tips.append(f"Your billable rate this week is {billable_percent_week}%")
    return tips[:MAX_INSIGHTS]
