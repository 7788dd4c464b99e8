"""The documented tie-break of ``most_productive_day`` (value dashboard and focus metrics):
two weekdays with the same tracked time go to the one tracked most recently. Each case is
checked in both directions, so no fixed weekday order can pass it, and on fixed dates, so
the outcome does not depend on the day the suite runs."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tt.productivity.analytics.days import DayTotal, most_productive_weekday
from tt.productivity.analytics.focus import Session, focus_of_sessions

THREE_HOURS = 3 * 3600
TUESDAY = date(2026, 12, 1)
THURSDAY = date(2026, 12, 3)
THURSDAY_BEFORE = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ((TUESDAY, THURSDAY), "Thursday"),
        ((THURSDAY_BEFORE, TUESDAY), "Tuesday"),
    ],
)
def test_value_dashboard_tie_goes_to_the_most_recent_weekday(
    days: tuple[date, date], expected: str
) -> None:
    totals = {day: DayTotal(THREE_HOURS, 0, 1) for day in days}
    assert most_productive_weekday(totals) == expected


def test_value_dashboard_more_time_beats_recency() -> None:
    totals = {TUESDAY: DayTotal(THREE_HOURS + 1, 0, 1), THURSDAY: DayTotal(THREE_HOURS, 0, 1)}
    assert most_productive_weekday(totals) == "Tuesday"


def test_value_dashboard_without_time_has_no_day() -> None:
    assert most_productive_weekday({}) is None
    assert most_productive_weekday({TUESDAY: DayTotal(0, 0, 1)}) is None


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ((TUESDAY, THURSDAY), "Thursday"),
        ((THURSDAY_BEFORE, TUESDAY), "Tuesday"),
    ],
)
def test_focus_tie_goes_to_the_most_recent_weekday(days: tuple[date, date], expected: str) -> None:
    sessions = [Session(datetime(d.year, d.month, d.day, 9), THREE_HOURS) for d in days]
    assert focus_of_sessions(sessions).most_productive_day == expected


def test_focus_sums_a_weekday_over_weeks_before_breaking_ties() -> None:
    # Two Thursdays of 1.5 h equal one Tuesday of 3 h; the Tuesday is more recent.
    sessions = [
        Session(datetime(2026, 11, 19, 9), THREE_HOURS // 2),
        Session(datetime(2026, 11, 26, 9), THREE_HOURS // 2),
        Session(datetime(2026, 12, 1, 9), THREE_HOURS),
    ]
    assert focus_of_sessions(sessions).most_productive_day == "Tuesday"
