"""Project use cases and queries (``tt.time.projects``): creates and changes queue their
events, money and lifecycle belong to the creator and admins, and the project list reads
each project's client name and worked hours (trigger-kept totals) in one statement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_seed as seed
from sqlalchemy.ext.asyncio import AsyncSession

from support.fastkit import caller, new_id, queued_events
from tt.common.db import driver
from tt.common.errors import Forbidden, ValidationFailed
from tt.common.outbox import Outbox
from tt.common.pagination import PageParams
from tt.common.topics import Catalogue
from tt.time.projects import repository, service
from tt.time.projects.schemas import ProjectCreate, ProjectUpdate
from tt.time.publishers import Publisher

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def events(catalogue: Catalogue) -> Publisher:
    return Publisher(Outbox(catalogue, source="/tt/time"))


async def test_a_create_fills_the_defaults_and_queues_its_event(
    session: AsyncSession, events: Publisher
) -> None:
    me = caller()
    acme = await seed.client(session, "Acme")
    view = await service.create_project(
        session, events, me, ProjectCreate(name="Website", client_id=acme.id, code="web"), "EUR"
    )
    assert (view["code"], view["currency"], view["status"], view["billable"]) == (
        "WEB",
        "EUR",
        "active",
        True,
    )
    assert (view["client"], view["budget_threshold_percent"], view["total_hours"]) == (
        "Acme",
        80,
        0.0,
    )
    [event] = await queued_events(session)
    assert (event.type, event.version, event.state["client"]) == ("tt.project.created", 1, "Acme")


async def test_a_code_is_unique_and_a_client_must_exist(
    session: AsyncSession, events: Publisher
) -> None:
    me = caller()
    await service.create_project(session, events, me, ProjectCreate(name="A", code="X1"), "EUR")
    with pytest.raises(ValidationFailed) as caught:
        await service.create_project(
            session, events, me, ProjectCreate(name="B", code="x1", client_id=10**15), "EUR"
        )
    assert caught.value.extra["errors"] == {
        "client_id": ["Client not found"],
        "code": ["Project code already in use"],
    }


async def test_archiving_is_a_status_change_recorded_with_who_and_when(
    session: AsyncSession, events: Publisher
) -> None:
    me = caller()
    created = await service.create_project(session, events, me, ProjectCreate(name="A"), "EUR")
    await service.archive_project(session, events, me, created["id"])
    await service.archive_project(session, events, me, created["id"])  # again: nothing new
    archived = await service.get_project(session, created["id"])
    assert (archived["is_archived"], archived["archived_by"]) == (True, me.user_id)
    assert archived["archived_reason"] == "Archived via API"
    reopened = await service.update_project(
        session, events, me, created["id"], ProjectUpdate(status="active")
    )
    assert (reopened["archived_at"], reopened["archived_by"]) == (None, None)
    assert [(e.type, e.version) for e in await queued_events(session)] == [
        ("tt.project.created", 1),
        ("tt.project.status_changed", 2),
        ("tt.project.status_changed", 3),
    ]


async def test_money_and_lifecycle_are_the_creators_and_admins(
    session: AsyncSession, events: Publisher
) -> None:
    creator, colleague = caller(), caller()
    created = await service.create_project(
        session, events, creator, ProjectCreate(name="A", hourly_rate=Decimal(80)), "EUR"
    )
    project_id = created["id"]
    renamed = await service.update_project(
        session, events, colleague, project_id, ProjectUpdate(name="B", hourly_rate=Decimal(80))
    )
    assert renamed["name"] == "B"  # a shared record: anyone may rename; the rate is unchanged
    with pytest.raises(Forbidden):
        await service.update_project(
            session, events, colleague, project_id, ProjectUpdate(hourly_rate=Decimal(90))
        )
    with pytest.raises(Forbidden):
        await service.archive_project(session, events, colleague, project_id)
    admin_set = await service.update_project(
        session, events, caller(admin=True), project_id, ProjectUpdate(hourly_rate=Decimal(90))
    )
    assert admin_set["hourly_rate"] == 90.0


async def test_the_list_is_by_name_with_client_names_and_worked_hours(
    session: AsyncSession,
) -> None:
    acme = await seed.client(session, "Acme")
    zeta = await seed.project(session, "Zeta")
    alpha = await seed.project(session, "Alpha", client_id=acme.id)
    await seed.project(session, "Beta", status="archived")
    user = new_id()
    for hours, billable in [(2, True), (1, False)]:
        start = MONDAY + timedelta(hours=3 * hours)
        await seed.entry(
            session, user, start, start + timedelta(hours=hours), alpha.id, billable=billable
        )
    await seed.entry(session, user, datetime.now(UTC), None, alpha.id)  # running: not counted
    conn = await driver(session)

    rows, total = await repository.page(conn, PageParams(1, 50), status="active", client_id=None)
    named = [r for r in rows if r["id"] in (alpha.id, zeta.id)]
    assert [r["name"] for r in named] == ["Alpha", "Zeta"]
    assert (named[0]["client_name"], named[0]["seconds"], named[0]["billable_seconds"]) == (
        "Acme",
        3 * 3600,
        2 * 3600,
    )
    assert named[1]["seconds"] == 0
    assert total == len(rows)
    by_client, count = await repository.page(
        conn, PageParams(1, 50), status=None, client_id=acme.id
    )
    assert ([r["id"] for r in by_client], count) == ([alpha.id], 1)
    detail = await service.get_project(session, alpha.id)
    assert (detail["total_hours"], detail["total_billable_hours"]) == (3.0, 2.0)
