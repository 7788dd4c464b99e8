"""Per-day totals and the calendar windows built from them (weeks start on Monday)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class DayTotal:
    seconds: int = 0
    billable_seconds: int = 0
    entries: int = 0

    def __add__(self, other: DayTotal) -> DayTotal:
        return DayTotal(
            self.seconds + other.seconds,
            self.billable_seconds + other.billable_seconds,
            self.entries + other.entries,
        )

    @property
    def hours(self) -> float:
        return round(self.seconds / 3600, 2)


EMPTY = DayTotal()


def completed_seconds(
    start: datetime,
    end: datetime | None,
    duration_seconds: int | None,
    break_seconds: int | None = 0,
) -> int | None:
    """Seconds an entry counts for: None while it runs; breaks excluded."""
    if end is None:
        return None
    if duration_seconds is not None:
        return max(0, int(duration_seconds))
    return max(0, int((end - start).total_seconds()) - int(break_seconds or 0))


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def total_between(days: Mapping[date, DayTotal], first: date, last: date) -> DayTotal:
    """The sum of the days from ``first`` to ``last`` inclusive."""
    total = EMPTY
    for day, value in days.items():
        if first <= day <= last:
            total = total + value
    return total


def last_n_days(days: Mapping[date, DayTotal], today: date, n: int) -> list[tuple[date, DayTotal]]:
    """``n`` consecutive days ending today, oldest first, empty days included."""
    first = today - timedelta(days=n - 1)
    return [(d, days.get(d, EMPTY)) for d in (first + timedelta(days=i) for i in range(n))]


def most_productive_weekday(days: Mapping[date, DayTotal]) -> str | None:
    """The weekday with the most tracked time over all days, or None without any."""
    seconds = [0] * 7
    latest = [date.min] * 7
    for day, value in days.items():
        seconds[day.weekday()] += value.seconds
        latest[day.weekday()] = max(latest[day.weekday()], day)
    return busiest_weekday(seconds, latest)


def busiest_weekday(seconds: Sequence[int], latest: Sequence[date]) -> str | None:
    """The name of the weekday (0 = Monday) with the most ``seconds``, or None without any.

    A tie goes to the weekday tracked most recently (``latest``: each weekday's last day
    with tracked time). TimeTracker's answer on a tie depends on the order its database
    returns the groups in, which nothing fixes; the most recent day is stable, and it is
    the one the user is likelier to remember.
    """
    best = max(range(7), key=lambda weekday: (seconds[weekday], latest[weekday]))
    return WEEKDAYS[best] if seconds[best] > 0 else None
