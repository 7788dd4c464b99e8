"""The rules an entry must satisfy before it is stored (``tt.time.entries.rules``): its
times, and what it is booked on, judged against the projects, clients and tasks in the
time database. Every failure is a ``ValidationFailed`` naming the offending fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_seed as seed
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.errors import ValidationFailed
from tt.time.entries.rules import Booking, check_times, resolve_booking

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def errors_of(caught: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, list[str]]:
    return dict(caught.value.extra["errors"])


# ------------------------------------------------------------------ times


def test_a_finished_entry_counts_its_length_less_its_breaks() -> None:
    assert check_times(NOON, NOON + 2 * HOUR, 0, allow_long=False) == 7200
    assert check_times(NOON, NOON + 2 * HOUR, 1800, allow_long=False) == 5400
    assert check_times(NOON, NOON + 2 * HOUR, 7200, allow_long=False) == 0


@pytest.mark.parametrize("end", [NOON, NOON - timedelta(seconds=1)])
def test_the_end_must_be_after_the_start(end: datetime) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_times(NOON, end, 0, allow_long=False)
    assert errors_of(caught) == {"end_time": ["Must be after start_time"]}


def test_more_than_a_day_needs_allow_long() -> None:
    assert check_times(NOON, NOON + 24 * HOUR, 0, allow_long=False) == 86_400  # exactly 24 h
    with pytest.raises(ValidationFailed) as caught:
        check_times(NOON, NOON + 24 * HOUR + timedelta(seconds=1), 0, allow_long=False)
    assert list(errors_of(caught)) == ["end_time"]
    assert check_times(NOON, NOON + 30 * HOUR, 0, allow_long=True) == 30 * 3600


def test_breaks_cannot_exceed_the_entry() -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_times(NOON, NOON + HOUR, 3601, allow_long=False)
    assert errors_of(caught) == {"break_seconds": ["Must not exceed the entry's length"]}


def test_a_running_timer_may_start_up_to_a_minute_ahead_of_the_clock() -> None:
    assert check_times(NOON + timedelta(seconds=60), None, 0, allow_long=False, now=NOON) is None
    with pytest.raises(ValidationFailed) as caught:
        check_times(NOON + timedelta(seconds=61), None, 0, allow_long=False, now=NOON)
    assert list(errors_of(caught)) == ["start_time"]


# ------------------------------------------------------------------ bookings


async def test_a_project_brings_its_client_and_the_names(session: AsyncSession) -> None:
    acme = await seed.client(session, "Acme")
    site = await seed.project(session, "Website", client_id=acme.id)
    design = await seed.task(session, site.id, "Design")
    booking = await resolve_booking(session, project_id=site.id, client_id=None, task_id=design.id)
    assert booking == Booking(site.id, "Website", acme.id, "Acme", design.id, "Design")


async def test_a_client_alone_is_a_booking(session: AsyncSession) -> None:
    acme = await seed.client(session, "Acme")
    booking = await resolve_booking(session, project_id=None, client_id=acme.id, task_id=None)
    assert booking == Booking(None, None, acme.id, "Acme", None, None)


async def test_an_entry_is_booked_on_something(session: AsyncSession) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await resolve_booking(session, project_id=None, client_id=None, task_id=None)
    assert errors_of(caught) == {"project_id": ["project_id (or client_id) is required"]}


async def test_unknown_references_are_each_named(session: AsyncSession) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await resolve_booking(session, project_id=10**15, client_id=None, task_id=10**15)
    assert errors_of(caught) == {
        "project_id": ["Project not found"],
        "task_id": ["Task not found"],
    }
    with pytest.raises(ValidationFailed) as caught:
        await resolve_booking(session, project_id=None, client_id=10**15, task_id=None)
    assert errors_of(caught) == {"client_id": ["Client not found"]}


async def test_only_an_active_project_can_be_newly_chosen(session: AsyncSession) -> None:
    old = await seed.project(session, "Old", status="archived")
    with pytest.raises(ValidationFailed) as caught:
        await resolve_booking(session, project_id=old.id, client_id=None, task_id=None)
    assert errors_of(caught) == {"project_id": ["Project is archived, not active"]}
    # An entry already booked on it keeps it (an edit of its notes, say).
    kept = await resolve_booking(
        session, project_id=old.id, client_id=None, task_id=None, new_project=False
    )
    assert kept.project == "Old"


async def test_the_client_must_be_the_projects_own(session: AsyncSession) -> None:
    acme, other = await seed.client(session, "Acme"), await seed.client(session, "Other")
    site = await seed.project(session, "Website", client_id=acme.id)
    with pytest.raises(ValidationFailed) as caught:
        await resolve_booking(session, project_id=site.id, client_id=other.id, task_id=None)
    assert errors_of(caught) == {"client_id": ["Does not match the project's client"]}
    same = await resolve_booking(session, project_id=site.id, client_id=acme.id, task_id=None)
    assert same.client_id == acme.id


async def test_the_task_must_be_of_the_entrys_project(session: AsyncSession) -> None:
    site, app = await seed.project(session, "Website"), await seed.project(session, "App")
    app_task = await seed.task(session, app.id, "Release")
    with pytest.raises(ValidationFailed) as caught:
        await resolve_booking(session, project_id=site.id, client_id=None, task_id=app_task.id)
    assert errors_of(caught) == {"task_id": ["Task does not belong to the entry's project"]}
