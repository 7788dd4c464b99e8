"""CSV import rows (``tt.time.imports``): the header, the cell format, and each record
judged by the rules of ``POST /api/v1/time-entries`` against the time database, every
problem of a row reported at once, each booking looked up once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_seed as seed
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from tt.time.imports.dialect import (
    HeaderError,
    escape,
    parse_bool,
    read_header,
    sniff_delimiter,
    unescape,
)
from tt.time.imports.rows import BookingCache, check

HEADER = read_header(["project_id", "task_id", "start_time", "end_time", "notes", "tags"])


def test_columns_match_by_name_or_alias_in_any_case_and_order() -> None:
    header = read_header(["Description", "END", "\ufeffProject ID", "Start", "colour"])
    assert header.positions == {
        "project_id": 2,
        "task_id": None,
        "start_time": 3,
        "end_time": 1,
        "notes": 0,
        "tags": None,
        "billable": None,
    }
    assert header.width == 5
    assert header.cell(["  a  ", "b"], "notes") == "a"
    assert header.cell(["a"], "end_time") == ""  # a short row: the missing cell is empty


def test_a_header_without_the_required_columns_or_with_one_twice_is_refused() -> None:
    with pytest.raises(HeaderError, match=r"Missing required column\(s\): end_time"):
        read_header(["project_id", "start_time"])
    with pytest.raises(HeaderError, match="notes appears more than once"):
        read_header(["project_id", "start_time", "end_time", "notes", "description"])


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        ("project_id,start_time,end_time", ","),
        ("project_id;start_time;end_time", ";"),
        ("project_id\tstart_time\tend_time", "\t"),
        ('"a;b";"c;d",x,y,z', ","),  # separators inside quotes do not count
        ("project_id", ","),
    ],
)
def test_the_delimiter_is_judged_from_the_header(line: str, delimiter: str) -> None:
    assert sniff_delimiter(line) == delimiter


def test_booleans() -> None:
    assert [parse_bool(v) for v in ("true", "YES", " 1 ", "false", "No", "0", "")] == [
        True,
        True,
        True,
        False,
        False,
        False,
        None,
    ]
    with pytest.raises(ValueError, match="true/false"):
        parse_bool("maybe")


@given(st.text(max_size=30))
def test_escaping_formulas_is_undone_exactly_on_import(text: str) -> None:
    escaped = escape(text)
    assert unescape(escaped) == text
    assert not escaped or escaped[0] not in "=+-@\t\r" or text == ""


async def test_a_good_row_is_staged_with_its_worked_seconds(session: AsyncSession) -> None:
    site = await seed.project(session, "Website")
    row = [str(site.id), "", "2026-03-02T09:00:00Z", "2026-03-02T10:30:00Z", "'=SUM(A1)", "a,b"]
    staged, problems = await check(HEADER, row, BookingCache(session, {}))
    assert problems == []
    assert staged == (
        datetime(2026, 3, 2, 9, tzinfo=UTC),
        datetime(2026, 3, 2, 10, 30, tzinfo=UTC),
        5400,
        "=SUM(A1)",  # the export's escape removed
        "a,b",
        True,  # billable by default, as a create
        (site.id, None),
    )


async def test_every_problem_of_a_row_is_reported(session: AsyncSession) -> None:
    header = read_header(["project_id", "start_time", "end_time", "billable"])
    row = ["", "2026-03-02T09:00:00Z", "", "perhaps", "extra"]
    staged, problems = await check(header, row, BookingCache(session, {}))
    assert staged is None
    assert problems == [
        ("billable", "Must be true/false, yes/no or 1/0"),
        ("row", "Has 5 cells; the header names 4"),
        ("project_id", "This field is required"),
        ("end_time", "This field is required"),
    ]


async def test_times_and_booking_are_judged_together(session: AsyncSession) -> None:
    old = await seed.project(session, "Old", status="archived")
    row = [str(old.id), "", "2026-03-02T10:00:00Z", "2026-03-02T09:00:00Z", "", ""]
    staged, problems = await check(HEADER, row, BookingCache(session, {}))
    assert staged is None
    assert problems == [
        ("end_time", "Must be after start_time"),
        ("project_id", "Project is archived, not active"),
    ]


async def test_each_booking_is_resolved_once(session: AsyncSession) -> None:
    site = await seed.project(session, "Website")
    design = await seed.task(session, site.id, "Design")
    cache = BookingCache(session, {})
    for hour in range(9, 17):
        for task_id in ("", str(design.id)):
            start, end = f"2026-03-02T{hour:02d}:00:00Z", f"2026-03-02T{hour:02d}:30:00Z"
            staged, problems = await check(HEADER, [str(site.id), task_id, start, end], cache)
            assert staged is not None, problems
    assert set(cache.found) == {(site.id, None), (site.id, design.id)}
    # Later rows take the booking from the cache, not from the database.
    site.status = "archived"
    await session.flush()
    late = [str(site.id), "", "2026-03-03T09:00:00Z", "2026-03-03T10:00:00Z"]
    assert (await check(HEADER, late, cache))[1] == []
    assert (await check(HEADER, late, BookingCache(session, {})))[1] == [
        ("project_id", "Project is archived, not active")
    ]
