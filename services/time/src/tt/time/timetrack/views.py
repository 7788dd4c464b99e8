"""A TimeTrack project time entry, as seed 004's table names its fields; timestamps are
written ``YYYY-MM-DDTHH:MM:SS.fffZ`` (docs/api.md §6)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


def timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _minutes(seconds: int | None) -> int | None:
    return None if seconds is None else (seconds + 30) // 60


def hashtags(tags: str | None) -> str | None:
    return " ".join(f"#{t}" for t in tags.split(",") if t) if tags else None


def timetrack_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """One row of ``repository`` (entry, names and details) in TimeTrack's shape."""
    rate = row["hour_rate"]
    return {
        "ID": row["id"],
        "user": row["username"],
        "clientName": row["client_name"],
        "projectName": row["project_name"],
        "task": row["task_name"],
        "hourRate": float(rate) if rate is not None else None,
        "latitude": row["latitude"],
        "longitude": row["longitude"],
        "latitude1": row["latitude1"],
        "longitude1": row["longitude1"],
        "billable": row["billable"],
        "flatRate": bool(row["flat_rate"]),
        "details": row["notes"],
        "tags": hashtags(row["tags"]),
        "from": timestamp(row["start_time"]),
        "to": timestamp(row["end_time"]),
        "workedMinutes": _minutes(row["duration_seconds"]),
        "breakMinutes": _minutes(row["break_seconds"]),
    }
