"""Time-entry use cases and queries (``tt.time.entries``): what a create, an update and a
delete store and queue in the outbox, who may reach which entries, and the pages the
entry list is read from (newest first, totals from the trigger-kept counts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_seed as seed
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from support.fastkit import caller, new_id, queued_events
from tt.common.db import driver
from tt.common.errors import Forbidden, NotFound
from tt.common.outbox import Outbox
from tt.common.pagination import PageParams
from tt.common.topics import Catalogue
from tt.time.entries import repository, service
from tt.time.entries.models import EntryCount
from tt.time.entries.repository import EntryFilter
from tt.time.entries.schemas import EntryCreate, EntryUpdate
from tt.time.publishers import Publisher
from tt.time.users.models import UserRecord

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def events(catalogue: Catalogue) -> Publisher:
    return Publisher(Outbox(catalogue, source="/tt/time"))


async def test_a_create_stores_the_entry_and_queues_its_event(
    session: AsyncSession, events: Publisher
) -> None:
    me = caller()
    site = await seed.project(session, "Website", client_id=(await seed.client(session)).id)
    payload = EntryCreate(
        project_id=site.id, start_time=MONDAY, end_time=MONDAY + 2 * HOUR, break_seconds=600
    )
    view = await service.create_entry(session, events, me, payload)
    assert view["duration_seconds"] == 2 * 3600 - 600
    assert (view["project"], view["client"], view["user"]) == ("Website", "Acme", me.username)
    [event] = await queued_events(session)
    assert (event.type, event.subject, event.version) == (
        "tt.time_entry.created",
        str(view["id"]),
        1,
    )
    assert event.state["duration_seconds"] == 6600
    assert event.state["project"] == "Website"
    # The caller joined the users projection (their auth event may still be on its way).
    assert (await session.get(UserRecord, me.user_id)) is not None
    stored = await repository.get_row(session, view["id"])
    assert stored is not None
    assert stored["duration_seconds"] == 6600


async def test_one_running_timer_per_user(session: AsyncSession, events: Publisher) -> None:
    me = caller()
    site = await seed.project(session)
    running = EntryCreate(project_id=site.id, start_time=datetime.now(UTC) - HOUR)
    await service.create_entry(session, events, me, running)
    with pytest.raises(service.TimerAlreadyRunning):
        await service.create_entry(session, events, me, running)
    # Another user's timer is theirs; finished entries never conflict.
    await service.create_entry(session, events, caller(), running)
    finished = EntryCreate(project_id=site.id, start_time=MONDAY, end_time=MONDAY + HOUR)
    await service.create_entry(session, events, me, finished)
    assert [e.type for e in await queued_events(session)] == ["tt.time_entry.created"] * 3


async def test_only_admins_book_for_others(session: AsyncSession, events: Publisher) -> None:
    site = await seed.project(session)
    other = new_id()
    payload = EntryCreate(
        project_id=site.id, start_time=MONDAY, end_time=MONDAY + HOUR, user_id=other
    )
    with pytest.raises(Forbidden):
        await service.create_entry(session, events, caller(), payload)
    view = await service.create_entry(session, events, caller(admin=True), payload)
    assert view["user_id"] == other


async def test_an_update_is_a_new_version_and_no_change_is_none(
    session: AsyncSession, events: Publisher
) -> None:
    me = caller()
    site = await seed.project(session)
    created = await service.create_entry(
        session,
        events,
        me,
        EntryCreate(project_id=site.id, start_time=MONDAY, end_time=MONDAY + HOUR),
    )
    later = EntryUpdate(end_time=MONDAY + 3 * HOUR, notes="longer")
    updated = await service.update_entry(session, events, me, created["id"], later)
    assert (updated["duration_seconds"], updated["notes"]) == (3 * 3600, "longer")
    again = await service.update_entry(session, events, me, created["id"], later)
    assert again["duration_seconds"] == 3 * 3600
    assert [(e.type, e.version) for e in await queued_events(session)] == [
        ("tt.time_entry.created", 1),
        ("tt.time_entry.updated", 2),
    ]


async def test_another_users_entry_is_not_found(session: AsyncSession, events: Publisher) -> None:
    owner, stranger = caller(), caller()
    site = await seed.project(session)
    created = await service.create_entry(
        session,
        events,
        owner,
        EntryCreate(project_id=site.id, start_time=MONDAY, end_time=MONDAY + HOUR),
    )
    with pytest.raises(NotFound):
        await service.get_entry(session, stranger, created["id"])
    with pytest.raises(NotFound):
        await service.delete_entry(session, events, stranger, created["id"])
    assert (await service.get_entry(session, caller(admin=True), created["id"]))["id"]


async def test_a_delete_queues_the_last_state_as_the_next_version(
    session: AsyncSession, events: Publisher
) -> None:
    me = caller()
    site = await seed.project(session)
    created = await service.create_entry(
        session,
        events,
        me,
        EntryCreate(project_id=site.id, start_time=MONDAY, end_time=MONDAY + HOUR),
    )
    await service.delete_entry(session, events, me, created["id"])
    assert await repository.get_row(session, created["id"]) is None
    deleted = (await queued_events(session))[-1]
    assert (deleted.type, deleted.version, deleted.state["id"]) == (
        "tt.time_entry.deleted",
        2,
        created["id"],
    )


def test_who_a_list_shows() -> None:
    me, admin = caller(), caller(admin=True)
    assert service.visible_user(me, None) == me.user_id
    assert service.visible_user(me, me.user_id) == me.user_id
    with pytest.raises(Forbidden):
        service.visible_user(me, admin.user_id)
    assert service.visible_user(admin, None) is None  # everyone's
    assert service.visible_user(admin, me.user_id) == me.user_id


@pytest.mark.parametrize(
    ("stored", "sent", "same"),
    [
        ("12:00:00.123456", "12:00:00", True),  # a client that keeps seconds
        ("12:00:00.123456", "12:00:00.123000", True),  # ... or milliseconds
        ("12:00:00.123456", "12:00:00.123456", True),
        ("12:00:00.123456", "12:00:00.123457", False),
        ("12:00:01.000000", "12:00:00", False),
    ],
)
def test_if_updated_at_matches_at_the_clients_precision(stored: str, sent: str, same: bool) -> None:
    day = "2026-03-02T"
    assert (
        service.same_instant(
            datetime.fromisoformat(day + stored), datetime.fromisoformat(day + sent)
        )
        is same
    )


async def test_pages_are_newest_first_with_names_and_counted_totals(
    session: AsyncSession,
) -> None:
    user = new_id()
    acme = await seed.client(session)
    site = await seed.project(session, "Website", client_id=acme.id)
    starts = [MONDAY + timedelta(days=d) for d in (2, 0, 1, 1)]
    rows = [
        await seed.entry(session, user, s, s + HOUR, site.id, client_id=acme.id) for s in starts
    ]
    await seed.entry(session, user, datetime.now(UTC), None, site.id)  # running
    await seed.entry(session, new_id(), MONDAY, MONDAY + HOUR, site.id)  # someone else's
    conn = await driver(session)

    page, total = await repository.page(conn, PageParams(1, 2), EntryFilter(user_id=user))
    # Newest start first, then the higher id; running entries are left out by default.
    assert [r["id"] for r in page] == [rows[0].id, rows[3].id]
    assert total == 4
    assert (page[0]["project_name"], page[0]["client_name"]) == ("Website", "Acme")
    second, _ = await repository.page(conn, PageParams(2, 2), EntryFilter(user_id=user))
    assert [r["id"] for r in second] == [rows[2].id, rows[1].id]
    with_running = EntryFilter(user_id=user, include_active=True)
    assert (await repository.page(conn, PageParams(1, 50), with_running))[1] == 5
    # The unnarrowed totals come from the counts the trigger keeps beside the entries.
    counts = await session.execute(
        select(EntryCount.total, EntryCount.active).where(EntryCount.user_id == user)
    )
    assert [sum(c) for c in zip(*counts.all(), strict=True)] == [5, 1]


async def test_narrowed_pages_count_what_they_match(session: AsyncSession) -> None:
    user = new_id()
    site, app = await seed.project(session, "Website"), await seed.project(session, "App")
    for day, project, billable in [(0, site, True), (1, site, False), (2, app, True)]:
        start = MONDAY + timedelta(days=day)
        await seed.entry(session, user, start, start + HOUR, project.id, billable=billable)
    conn = await driver(session)

    async def ids(where: EntryFilter) -> tuple[int, int]:
        page, total = await repository.page(conn, PageParams(1, 50), where)
        return len(page), total

    assert await ids(EntryFilter(user_id=user, project_id=site.id)) == (2, 2)
    assert await ids(EntryFilter(user_id=user, billable=True)) == (2, 2)
    since = EntryFilter(user_id=user, start=MONDAY + timedelta(days=1))
    assert await ids(since) == (2, 2)
    one_per_page, total = await repository.page(
        conn, PageParams(1, 1), EntryFilter(user_id=user, billable=True)
    )
    assert (len(one_per_page), total) == (1, 2)
