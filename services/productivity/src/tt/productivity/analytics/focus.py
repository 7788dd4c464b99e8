"""Focus metrics over the sessions (completed entries) of a period.

A session is one completed time entry, attributed to the local hour and weekday it
started in. Sessions under five minutes do not count towards the average (as in
TimeTracker); a deep-work session is one of at least ``DEEP_WORK_MINUTES``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MIN_AVERAGED_SECONDS = 5 * 60
DEEP_WORK_MINUTES = 60


@dataclass(frozen=True, slots=True)
class Session:
    """One completed entry: its local start (naive wall-clock time) and its seconds."""

    local_start: datetime
    seconds: int


@dataclass(frozen=True, slots=True)
class FocusMetrics:
    sessions: int
    avg_session_length_minutes: float
    longest_session_hours: float
    entries_per_day: float
    most_productive_hour: int | None
    most_productive_day: str | None
    hour_distribution: list[float] = field(default_factory=list)
    deep_work_sessions: int = 0
    deep_work_hours: float = 0.0
    deep_work_share: float = 0.0
    deep_work_threshold_minutes: int = DEEP_WORK_MINUTES


def _argmax(totals: Sequence[int]) -> int | None:
    best = max(totals, default=0)
    # Ties go to the earliest hour or weekday, so the answer is stable.
    return totals.index(best) if best > 0 else None


def focus_metrics(sessions: Sequence[Session]) -> FocusMetrics:
    by_hour = [0] * 24
    by_weekday = [0] * 7
    averaged: list[int] = []
    days = set()
    total = deep = deep_count = longest = 0
    for s in sessions:
        seconds = max(0, s.seconds)
        by_hour[s.local_start.hour] += seconds
        by_weekday[s.local_start.weekday()] += seconds
        days.add(s.local_start.date())
        total += seconds
        longest = max(longest, seconds)
        if seconds >= MIN_AVERAGED_SECONDS:
            averaged.append(seconds)
        if seconds >= DEEP_WORK_MINUTES * 60:
            deep += seconds
            deep_count += 1
    best_day = _argmax(by_weekday)
    return FocusMetrics(
        sessions=len(sessions),
        avg_session_length_minutes=round(sum(averaged) / len(averaged) / 60, 1)
        if averaged
        else 0.0,
        longest_session_hours=round(longest / 3600, 2),
        entries_per_day=round(len(sessions) / len(days), 2) if days else 0.0,
        most_productive_hour=_argmax(by_hour),
        most_productive_day=WEEKDAYS[best_day] if best_day is not None else None,
        hour_distribution=[round(s / 3600, 2) for s in by_hour],
        deep_work_sessions=deep_count,
        deep_work_hours=round(deep / 3600, 2),
        deep_work_share=round(deep / total, 3) if total else 0.0,
    )
