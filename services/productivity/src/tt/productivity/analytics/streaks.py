"""Tracking streaks: runs of consecutive local days with completed time."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


def current_streak(days: Collection[date], today: date) -> int:
    """Consecutive tracked days ending today, or yesterday if today has nothing yet."""
    cursor = today if today in days else today - ONE_DAY
    streak = 0
    while cursor in days:
        streak += 1
        cursor -= ONE_DAY
    return streak


def longest_streak(days: Iterable[date]) -> int:
    best = run = 0
    previous: date | None = None
    for day in sorted(set(days)):
        run = run + 1 if previous is not None and day - previous == ONE_DAY else 1
        best = max(best, run)
        previous = day
    return best


@dataclass(frozen=True, slots=True)
class StreakSummary:
    current_streak: int
    longest_streak: int
    tracked_days_this_month: int
    total_days_this_month: int


def summarize_streaks(days: Collection[date], today: date) -> StreakSummary:
    month_start = today.replace(day=1)
    return StreakSummary(
        current_streak=current_streak(days, today),
        longest_streak=longest_streak(days),
        tracked_days_this_month=sum(1 for d in days if month_start <= d <= today),
        total_days_this_month=(today - month_start).days + 1,
    )
