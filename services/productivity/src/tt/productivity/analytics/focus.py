"""Focus metrics over the sessions (completed entries) of a period.

A session is one completed time entry, attributed to the local hour and weekday it
started in. Sessions under five minutes do not count towards the average (as in
TimeTracker); a deep-work session is one of at least ``DEEP_WORK_MINUTES``.

The metrics are computed from sessions summed per local weekday and hour (at most 168
``SessionGroup``s, which the database produces for a long period in one pass) and the
number of days with sessions; ``focus_of_sessions`` does the same from single sessions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from tt.productivity.analytics.days import busiest_weekday

MIN_AVERAGED_SECONDS = 5 * 60
DEEP_WORK_MINUTES = 60
DEEP_WORK_SECONDS = DEEP_WORK_MINUTES * 60


@dataclass(frozen=True, slots=True)
class Session:
    """One completed entry: its local start (naive wall-clock time) and its seconds."""

    local_start: datetime
    seconds: int


@dataclass(frozen=True, slots=True)
class SessionGroup:
    """The sessions that started in one local hour of one weekday (0 = Monday), summed."""

    weekday: int
    hour: int
    sessions: int
    seconds: int
    longest: int
    averaged_sessions: int  # sessions of at least MIN_AVERAGED_SECONDS
    averaged_seconds: int
    deep_sessions: int  # sessions of at least DEEP_WORK_SECONDS
    deep_seconds: int
    latest_day: date  # the local day of the group's most recent session


def group_sessions(sessions: Iterable[Session]) -> list[SessionGroup]:
    totals: dict[tuple[int, int], list[int]] = {}
    latest: dict[tuple[int, int], date] = {}
    for s in sessions:
        seconds = max(0, s.seconds)
        key = (s.local_start.weekday(), s.local_start.hour)
        t = totals.setdefault(key, [0] * 7)
        latest[key] = max(latest.get(key, date.min), s.local_start.date())
        t[0] += 1
        t[1] += seconds
        t[2] = max(t[2], seconds)
        if seconds >= MIN_AVERAGED_SECONDS:
            t[3] += 1
            t[4] += seconds
        if seconds >= DEEP_WORK_SECONDS:
            t[5] += 1
            t[6] += seconds
    return [
        SessionGroup(
            weekday,
            hour,
            sessions=t[0],
            seconds=t[1],
            longest=t[2],
            averaged_sessions=t[3],
            averaged_seconds=t[4],
            deep_sessions=t[5],
            deep_seconds=t[6],
            latest_day=latest[(weekday, hour)],
        )
        for (weekday, hour), t in sorted(totals.items())
    ]


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
    # Ties go to the earliest hour, so the answer is stable.
    return totals.index(best) if best > 0 else None


def focus_metrics(groups: Sequence[SessionGroup], active_days: int) -> FocusMetrics:
    """``active_days``: the days of the period with at least one session."""
    by_hour = [0] * 24
    by_weekday = [0] * 7
    latest_by_weekday = [date.min] * 7
    sessions = total = longest = averaged = averaged_seconds = deep = deep_seconds = 0
    for g in groups:
        by_hour[g.hour] += g.seconds
        by_weekday[g.weekday] += g.seconds
        latest_by_weekday[g.weekday] = max(latest_by_weekday[g.weekday], g.latest_day)
        sessions += g.sessions
        total += g.seconds
        longest = max(longest, g.longest)
        averaged += g.averaged_sessions
        averaged_seconds += g.averaged_seconds
        deep += g.deep_sessions
        deep_seconds += g.deep_seconds
    return FocusMetrics(
        sessions=sessions,
        avg_session_length_minutes=round(averaged_seconds / averaged / 60, 1) if averaged else 0.0,
        longest_session_hours=round(longest / 3600, 2),
        entries_per_day=round(sessions / active_days, 2) if active_days else 0.0,
        most_productive_hour=_argmax(by_hour),
        most_productive_day=busiest_weekday(by_weekday, latest_by_weekday),
        hour_distribution=[round(s / 3600, 2) for s in by_hour],
        deep_work_sessions=deep,
        deep_work_hours=round(deep_seconds / 3600, 2),
        deep_work_share=round(deep_seconds / total, 3) if total else 0.0,
    )


def focus_of_sessions(sessions: Sequence[Session]) -> FocusMetrics:
    days = {s.local_start.date() for s in sessions}
    return focus_metrics(group_sessions(sessions), len(days))
