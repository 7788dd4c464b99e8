"""Regular and overtime hours of a run of days (TimeTracker's daily mode): on a working
day, time up to the standard day is regular and the rest overtime; on a weekend, when
weekends are not working days, all of it is overtime."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

SATURDAY = 5


@dataclass(frozen=True, slots=True)
class WorkSchedule:
    """A user's working time (the defaults are auth's for a new user)."""

    standard_hours_per_day: float = 8.0
    include_weekends: bool = False


@dataclass(frozen=True, slots=True)
class Overtime:
    regular_seconds: float = 0
    overtime_seconds: float = 0


def split_overtime(
    seconds_by_day: Mapping[date, float], first: date, last: date, schedule: WorkSchedule
) -> Overtime:
    """Regular and overtime seconds of the days ``first`` to ``last`` inclusive."""
    standard = schedule.standard_hours_per_day * 3600
    regular = overtime = 0.0
    for day, seconds in seconds_by_day.items():
        if not first <= day <= last or seconds <= 0:
            continue
        if not schedule.include_weekends and day.weekday() >= SATURDAY:
            overtime += seconds
        else:
            regular += min(seconds, standard)
            overtime += max(0.0, seconds - standard)
    return Overtime(regular, overtime)
