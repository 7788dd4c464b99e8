"""Checking CSV records by the rules of ``POST /api/v1/time-entries``, with its own code:
each record becomes the create's body (``EntryCreate``), then ``rules.check_times`` and
``rules.resolve_booking`` judge it as they judge a create. Bookings are looked up once per
distinct (project, task) pair, so 100,000 records on a handful of projects cost a
handful of queries.

Beyond a create, a CSV row must carry ``end_time`` (an import books finished work, never
a running timer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.body import parse
from tt.common.errors import ValidationFailed
from tt.time.entries import rules
from tt.time.entries.schemas import EntryCreate
from tt.time.imports.dialect import Header, parse_bool, unescape

# A staged entry: (start, end, worked seconds, notes, tags, billable, booking key).
Staged = tuple[datetime, datetime, int, str | None, str | None, bool, tuple[int, int | None]]
Problems = list[tuple[str, str]]  # (column, message)


@dataclass(frozen=True, slots=True)
class BookingCache:
    """Bookings by (project_id, task_id), each resolved once by the create's own rule."""

    session: AsyncSession
    found: dict[tuple[int, int | None], rules.Booking | ValidationFailed]

    async def resolve(self, key: tuple[int, int | None]) -> rules.Booking | ValidationFailed:
        known = self.found.get(key)
        if known is None:
            try:
                known = await rules.resolve_booking(
                    self.session, project_id=key[0], client_id=None, task_id=key[1]
                )
            except ValidationFailed as exc:
                known = exc
            self.found[key] = known
        return known


def _problems(exc: ValidationFailed) -> Problems:
    errors: dict[str, list[str]] = exc.extra.get("errors", {})
    return [(column, message) for column, messages in errors.items() for message in messages]


def body_of(header: Header, cells: list[str]) -> tuple[dict[str, Any], Problems]:
    """The create body a record stands for (empty cells are left out, so defaults apply)."""
    body: dict[str, Any] = {}
    problems: Problems = []
    for column in ("project_id", "task_id", "start_time", "end_time"):
        value = header.cell(cells, column)
        if value:
            body[column] = value
    for column in ("notes", "tags"):
        value = unescape(header.cell(cells, column))
        if value:
            body[column] = value
    try:
        billable = parse_bool(header.cell(cells, "billable"))
    except ValueError as exc:
        problems.append(("billable", str(exc)))
    else:
        if billable is not None:
            body["billable"] = billable
    extra = [cell for cell in cells[header.width :] if cell.strip()]
    if extra:
        problems.append(("row", f"Has {len(cells)} cells; the header names {header.width}"))
    return body, problems


async def check(
    header: Header, cells: list[str], bookings: BookingCache
) -> tuple[Staged | None, Problems]:
    """One record: the entry to stage, or what is wrong with it (every column at once)."""
    body, problems = body_of(header, cells)
    for column in ("project_id", "start_time", "end_time"):
        if column not in body:
            problems.append((column, "This field is required"))
    try:
        payload = parse(EntryCreate, body)
    except ValidationFailed as exc:
        return None, problems + [p for p in _problems(exc) if p[0] not in dict(problems)]
    if problems:
        return None, problems
    assert payload.project_id is not None
    assert payload.end_time is not None
    try:
        worked = rules.check_times(payload.start_time, payload.end_time, 0, allow_long=False)
    except ValidationFailed as exc:
        problems += _problems(exc)
    key = (payload.project_id, payload.task_id)
    booking = await bookings.resolve(key)
    if isinstance(booking, ValidationFailed):
        problems += _problems(booking)
    if problems:
        return None, problems
    assert worked is not None
    staged: Staged = (
        payload.start_time,
        payload.end_time,
        worked,
        payload.notes or None,
        payload.tags or None,
        payload.billable,
        key,
    )
    return staged, []
