"""How every productivity answer writes its figures: hours to hundredths, instants in UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def hours(seconds: float) -> float:
    """Seconds as hours, rounded to hundredths (every hours figure of the answers)."""
    return round(seconds / 3600, 2)


def utc_text(instant: datetime) -> str:
    """An instant as ISO 8601 in UTC with ``Z``, to the second."""
    return instant.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
