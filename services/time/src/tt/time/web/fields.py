"""Field types for this service's request bodies: strict where a wrong type would be
silently coerced. Ids, text and the models' configs are tt.common.fields' (BodyId,
text_field, STRICT, LENIENT); the rest are this service's own:

- datetimes are ISO 8601 strings only (no epoch numbers), naive ones are UTC, and they
  must fall in [1970-01-01, 2100-01-01) so nothing absurd reaches the database;
- money is a non-negative decimal with two places.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from tt.common.fields import refuse_nul, text_field

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _error(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def to_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise _error("datetime_parsing", "Must be an ISO 8601 date-time") from None
    else:
        raise _error("datetime_type", "Must be an ISO 8601 date-time string")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    if not EARLIEST <= parsed < LATEST:
        raise _error("datetime_range", "Must be between 1970-01-01 and 2099-12-31")
    return parsed


def to_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise _error("date_type", "Must be a date (YYYY-MM-DD)")
    try:
        parsed = date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise _error("date_parsing", "Must be a date (YYYY-MM-DD)") from None
    if not EARLIEST.date() <= parsed < LATEST.date():
        raise _error("date_range", "Must be between 1970-01-01 and 2099-12-31")
    return parsed


def to_money(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise _error("decimal_type", "Must be a number")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise _error("decimal_parsing", "Must be a number") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("10000000"):
        raise _error("decimal_range", "Must be between 0 and 9999999.99")
    return amount.quantize(Decimal("0.01"))


def to_hours(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _error("float_type", "Must be a number of hours")
    try:
        hours = float(value)
    except ValueError:
        raise _error("float_parsing", "Must be a number of hours") from None
    if not 0 <= hours <= 100_000:
        raise _error("float_range", "Must be between 0 and 100000")
    return hours


def to_tags(value: Any) -> str:
    """Tags as the reference stores them: one comma-separated string (a list is joined)."""
    if isinstance(value, list):
        if not all(isinstance(t, str) for t in value):
            raise _error("tags_type", "Must be a string or a list of strings")
        value = ",".join(value)
    if not isinstance(value, str):
        raise _error("tags_type", "Must be a string or a list of strings")
    refuse_nul(value)
    tags = ",".join(t.strip() for t in value.split(",") if t.strip())
    if len(tags) > 500:
        raise _error("string_too_long", "Must be at most 500 characters")
    return tags


Timestamp = Annotated[datetime, BeforeValidator(to_datetime)]
Day = Annotated[date, BeforeValidator(to_date)]
Money = Annotated[Decimal, BeforeValidator(to_money)]
Hours = Annotated[float, BeforeValidator(to_hours)]
Tags = Annotated[str, BeforeValidator(to_tags)]
Name = Annotated[str, text_field(200, min_length=1)]
OptionalText = Annotated[str, text_field(200)]
ShortText = Annotated[str, text_field(100)]
LongText = Annotated[str, text_field(5000)]
