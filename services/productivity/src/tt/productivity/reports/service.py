"""The summary report: totals and the per-project breakdown, as JSON or CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.productivity.reports import repository as repo
from tt.productivity.reports.ranges import DateRange

CSV_COLUMNS = ("project_id", "project_name", "hours", "billable_hours", "entries")
# Cells a spreadsheet would run as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class ReportScope:
    """Whose entries: one user, or everyone's (an admin who names no user)."""

    user_id: int | None
    project_id: int | None


def _utc(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _hours(seconds: int) -> float:
    return round(seconds / 3600, 2)


async def summary(session: AsyncSession, window: DateRange, scope: ReportScope) -> dict[str, Any]:
    groups = await repo.totals_by_project(
        session,
        start=window.start,
        end=window.end,
        user_id=scope.user_id,
        project_id=scope.project_id,
    )
    projects = sorted(
        (g for g in groups if g.project_id is not None),
        key=lambda g: (-g.seconds, g.project_id or 0),
    )
    return {
        "start_date": _utc(window.start),
        "end_date": _utc(window.end),
        "total_hours": _hours(sum(g.seconds for g in groups)),
        "billable_hours": _hours(sum(g.billable_seconds for g in groups)),
        "total_entries": sum(g.entries for g in groups),
        "by_project": [
            {
                "project_id": g.project_id,
                "project_name": g.project_name or "Unknown",
                "hours": _hours(g.seconds),
                "billable_hours": _hours(g.billable_seconds),
                "entries": g.entries,
            }
            for g in projects
        ],
    }


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def summary_csv(report: dict[str, Any]) -> str:
    """One row per project, then a ``Total`` row (its project_id left empty)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for p in report["by_project"]:
        writer.writerow([_cell(p[c]) for c in CSV_COLUMNS])
    writer.writerow(
        ["", "Total", report["total_hours"], report["billable_hours"], report["total_entries"]]
    )
    return out.getvalue()
