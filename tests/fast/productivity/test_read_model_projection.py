"""The productivity read model (``tt.productivity.readmodel``): what the projector's batch
handlers make of time and auth events in the productivity database. An entry lands on
its user's local day (in the user's timezone, UTC until the user is known), the day and
rate-group totals follow every change, and a batch leaves what its events applied one by
one leave."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import redis.asyncio as aioredis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from support.events import synthetic_event
from support.fastkit import new_id
from tt.common.contracts.auth import USER_CREATED, USER_UPDATED
from tt.common.contracts.time import (
    PROJECT_CREATED,
    TIME_ENTRY_CREATED,
    TIME_ENTRY_DELETED,
    TIME_ENTRY_UPDATED,
)
from tt.common.events import Event
from tt.productivity.invalidation import CacheInvalidator
from tt.productivity.readmodel.projector import Projector

# 23:30 UTC on a Monday is already Tuesday in Berlin and still Monday in New York.
LATE_MONDAY = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
MONDAY, TUESDAY = date(2026, 3, 2), date(2026, 3, 3)
HOUR = timedelta(hours=1)


@pytest.fixture
def projector() -> Projector:
    # Handlers only stage cache drops; nothing here flushes them, so Redis is never reached.
    return Projector(CacheInvalidator(aioredis.Redis(), horizon_seconds=60))


def user(user_id: int, zone: str, version: int = 1) -> Event:
    event_type = USER_CREATED if version == 1 else USER_UPDATED
    return synthetic_event(
        event_type, user_id, version, username=f"user{user_id}", timezone=zone, is_active=True
    )


def entry(
    entry_id: int,
    user_id: int,
    start: datetime,
    hours: float | None,
    *,
    version: int = 1,
    project_id: int | None = None,
    billable: bool = True,
    deleted: bool = False,
) -> Event:
    end = None if hours is None else start + hours * HOUR
    event_type = (
        TIME_ENTRY_DELETED
        if deleted
        else TIME_ENTRY_CREATED
        if version == 1
        else TIME_ENTRY_UPDATED
    )
    return synthetic_event(
        event_type,
        entry_id,
        version,
        user_id=user_id,
        project_id=project_id,
        start_time=start.isoformat(),
        end_time=None if end is None else end.isoformat(),
        duration_seconds=None if hours is None else int(hours * 3600),
        billable=billable,
    )


async def rows(session: AsyncSession, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in await session.execute(text(sql), params)]


async def days(session: AsyncSession, user_id: int) -> list[tuple[Any, ...]]:
    return await rows(
        session,
        "SELECT day, seconds, billable_seconds, entries FROM user_days "
        "WHERE user_id = :u ORDER BY day",
        u=user_id,
    )


async def test_an_entry_lands_on_its_users_local_day(
    session: AsyncSession, projector: Projector
) -> None:
    berlin, new_york = new_id(), new_id()
    await projector.apply_users(session, [user(berlin, "Europe/Berlin")])
    await projector.apply_users(session, [user(new_york, "America/New_York")])
    await projector.apply_entries(
        session,
        [entry(new_id(), berlin, LATE_MONDAY, 1), entry(new_id(), new_york, LATE_MONDAY, 2)],
    )
    assert await days(session, berlin) == [(TUESDAY, 3600, 3600, 1)]
    assert await days(session, new_york) == [(MONDAY, 7200, 7200, 1)]
    [(local_start,)] = await rows(
        session, "SELECT local_start FROM time_entries WHERE user_id = :u", u=berlin
    )
    assert local_start == datetime(2026, 3, 3, 0, 30)  # Berlin's wall clock, no zone


async def test_totals_follow_updates_and_deletes(
    session: AsyncSession, projector: Projector
) -> None:
    someone, entry_id, project_id = new_id(), new_id(), new_id()
    await projector.apply_users(session, [user(someone, "UTC")])
    await projector.apply_entries(
        session, [entry(entry_id, someone, LATE_MONDAY - 10 * HOUR, 2, project_id=project_id)]
    )
    # Moved to the next day, shorter and not billable: the Monday goes, Tuesday comes.
    moved = entry(
        entry_id,
        someone,
        LATE_MONDAY + 2 * HOUR,
        1.5,
        version=2,
        project_id=project_id,
        billable=False,
    )
    await projector.apply_entries(session, [moved])
    assert await days(session, someone) == [(TUESDAY, 5400, 0, 1)]
    groups = "SELECT project_id, seconds FROM user_rate_groups WHERE user_id = :u"
    assert await rows(session, groups, u=someone) == [(project_id, 5400)]

    gone = entry(entry_id, someone, LATE_MONDAY + 2 * HOUR, 1.5, version=3, deleted=True)
    await projector.apply_entries(session, [gone])
    assert await days(session, someone) == []
    assert await rows(session, groups, u=someone) == []  # a group without time is no row


async def test_a_running_entry_counts_once_it_stops(
    session: AsyncSession, projector: Projector
) -> None:
    someone, entry_id = new_id(), new_id()
    await projector.apply_entries(session, [entry(entry_id, someone, LATE_MONDAY, None)])
    assert await days(session, someone) == []
    await projector.apply_entries(session, [entry(entry_id, someone, LATE_MONDAY, 1, version=2)])
    assert await days(session, someone) == [(MONDAY, 3600, 3600, 1)]


async def test_entries_before_their_user_use_utc_days_until_the_user_arrives(
    session: AsyncSession, projector: Projector
) -> None:
    late_user = new_id()
    await projector.apply_entries(session, [entry(new_id(), late_user, LATE_MONDAY, 1)])
    placeholder = "SELECT known, timezone FROM users WHERE id = :u"
    assert await rows(session, placeholder, u=late_user) == [(False, None)]
    assert await days(session, late_user) == [(MONDAY, 3600, 3600, 1)]

    await projector.apply_users(session, [user(late_user, "Europe/Berlin")])
    assert await rows(session, placeholder, u=late_user) == [(True, "Europe/Berlin")]
    assert await days(session, late_user) == [(TUESDAY, 3600, 3600, 1)]
    # A move to another zone re-files every entry again.
    await projector.apply_users(session, [user(late_user, "America/New_York", version=2)])
    assert await days(session, late_user) == [(MONDAY, 3600, 3600, 1)]


async def test_projects_keep_their_plan_and_a_name(
    session: AsyncSession, projector: Projector
) -> None:
    named, unnamed = new_id(), new_id()
    await projector.apply_projects(
        session,
        [
            synthetic_event(PROJECT_CREATED, named, name="Website", estimated_hours="12.5"),
            synthetic_event(PROJECT_CREATED, unnamed, name=""),
        ],
    )
    found = await rows(
        session,
        "SELECT id, name, estimated_hours FROM projects WHERE id IN (:a, :b) ORDER BY id",
        a=named,
        b=unnamed,
    )
    assert sorted(found) == sorted(
        [(named, "Website", 12.5), (unnamed, f"Project {unnamed}", None)]
    )


async def test_a_batch_leaves_what_its_events_one_by_one_leave(
    session: AsyncSession, projector: Projector
) -> None:
    someone, first, second = new_id(), new_id(), new_id()
    start = LATE_MONDAY - 5 * HOUR
    stream = [
        entry(first, someone, start, 1),
        user(someone, "Asia/Kolkata"),
        entry(second, someone, start + HOUR, 2, project_id=7),
        entry(first, someone, start, 3, version=2, billable=False),
        user(someone, "Pacific/Tongatapu", version=2),
        entry(second, someone, start + HOUR, 2, version=2, deleted=True),
        entry(first, someone, start - 24 * HOUR, 0.5, version=3),
    ]

    async def apply(events: list[Event]) -> None:
        # As the consumer runner does: consecutive events of one handler in one call.
        for event in events:
            handler = projector.apply_users if event.entity == "user" else projector.apply_entries
            await handler(session, [event])

    async def model() -> list[list[tuple[Any, ...]]]:
        return [
            await rows(session, f"SELECT * FROM {table} ORDER BY 1, 2")  # noqa: S608
            for table in ("users", "time_entries", "user_days", "user_rate_groups")
        ]

    one_by_one = await session.begin_nested()
    await apply(stream)
    expected = await model()
    await one_by_one.rollback()
    session.info.clear()  # what the projector remembered of the rolled-back part (locked zones)

    await projector.apply_entries(session, stream[:1])
    await projector.apply_users(session, stream[1:2])
    await projector.apply_entries(session, stream[2:4])
    await projector.apply_users(session, stream[4:5])
    await projector.apply_entries(session, stream[5:])
    assert await model() == expected
    assert expected[2]  # the read model is not empty: the comparison says something
