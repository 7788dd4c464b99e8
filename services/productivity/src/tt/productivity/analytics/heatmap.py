"""The activity heatmap: one cell per local day for the last N weeks, oldest first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

# Hours per day at which a cell reaches levels 1..4 (TimeTracker's GitHub-style scale).
LEVEL_HOURS = (0.0, 2.0, 4.0, 6.0)


def level_for(seconds: int) -> int:
    """0 for an empty day; 1: under 2 h, 2: under 4 h, 3: under 6 h, 4: 6 h or more."""
    if seconds <= 0:
        return 0
    hours = seconds / 3600
    return sum(1 for threshold in LEVEL_HOURS if hours >= threshold)


@dataclass(frozen=True, slots=True)
class HeatCell:
    day: date
    seconds: int
    entries: int

    @property
    def hours(self) -> float:
        return round(self.seconds / 3600, 2)

    @property
    def level(self) -> int:
        return level_for(self.seconds)


def build_heatmap(
    day_seconds: Mapping[date, int],
    today: date,
    *,
    weeks: int = 12,
    day_entries: Mapping[date, int] | None = None,
) -> list[HeatCell]:
    """``weeks * 7`` consecutive days ending today; days without time are empty cells."""
    first = today - timedelta(days=weeks * 7 - 1)
    counts = day_entries or {}
    return [
        HeatCell(day, int(day_seconds.get(day, 0)), int(counts.get(day, 0)))
        for day in (first + timedelta(days=i) for i in range(weeks * 7))
    ]
