"""The shapes of the summary report: its JSON (seeds 002/003) and its CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from tt.productivity.formats import hours, utc_text
from tt.productivity.reports.ranges import DateRange
from tt.productivity.reports.repository import ProjectTotal

CSV_COLUMNS = ("project_id", "project_name", "hours", "billable_hours", "entries")
# Cells a spreadsheet would run as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def summary_view(window: DateRange, groups: Sequence[ProjectTotal]) -> dict[str, Any]:
    """Totals over every group (entries without a project included), then the projects
    by time, most first."""
    projects = sorted(
        (g for g in groups if g.project_id is not None),
        key=lambda g: (-g.seconds, g.project_id or 0),
    )
    return {
        "start_date": utc_text(window.start),
        "end_date": utc_text(window.end),
        "total_hours": hours(sum(g.seconds for g in groups)),
        "billable_hours": hours(sum(g.billable_seconds for g in groups)),
        "total_entries": sum(g.entries for g in groups),
        "by_project": [
            {
                "project_id": g.project_id,
                "project_name": g.project_name or "Unknown",
                "hours": hours(g.seconds),
                "billable_hours": hours(g.billable_seconds),
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


def csv_filename(report: dict[str, Any]) -> str:
    return f"summary-{report['start_date'][:10]}-{report['end_date'][:10]}.csv"
