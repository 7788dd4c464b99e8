"""The delivery queue in the webhooks database: the intake records one delivery per event
per matching subscription (the consumer's handler), and the dispatcher claims only the
head of each lane (one entity's deliveries to one subscription), so a lane goes out in
order and one at a time, and a failing head holds back its own lane only."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from support.events import synthetic_event
from support.fastkit import new_id
from tt.common.contracts.auth import USER_UPDATED
from tt.common.contracts.time import PROJECT_CREATED, TIME_ENTRY_CREATED, TIME_ENTRY_UPDATED
from tt.common.events import Event
from tt.webhooks.deliveries.models import DELIVERED, PENDING, Delivery
from tt.webhooks.dispatch import queue
from tt.webhooks.dispatch.intake import DeliveryIntake
from tt.webhooks.subscribable import glob_to_regex
from tt.webhooks.subscriptions.models import Subscription

WINDOW = 24 * 3600.0


async def subscribe(
    session: AsyncSession, owner_id: int, *globs: str, admin: bool = False
) -> Subscription:
    row = Subscription(
        owner_id=owner_id,
        owner_is_admin=admin,
        url=f"https://hooks.example.com/{new_id()}",
        events=list(globs),
        event_pattern=glob_to_regex(list(globs)),
        secret_sealed=b"sealed",
    )
    session.add(row)
    await session.flush()
    return row


def entry(owner: int, entry_id: int, version: int = 1) -> Event:
    event_type = TIME_ENTRY_CREATED if version == 1 else TIME_ENTRY_UPDATED
    return synthetic_event(
        event_type, entry_id, version, user_id=owner, start_time="2026-03-02T09:00:00Z"
    )


async def claim(
    connection: AsyncConnection,
    lease: str,
    *,
    per_subscription: int = 8,
    busy: dict[int, int] | None = None,
) -> list[queue.Job]:
    """Lease the due lane heads as a dispatcher does (``lease``: its lease token), in the
    order it would send them."""
    return await queue.claim(
        connection,
        token=lease,
        limit=100,
        per_subscription=per_subscription,
        busy=busy or {},
        lease_seconds=60,
    )


async def deliveries(session: AsyncSession, subscription: Subscription) -> list[Delivery]:
    rows = await session.execute(
        select(Delivery).where(Delivery.subscription_id == subscription.id).order_by(Delivery.id)
    )
    return list(rows.scalars())


def delivered(at: datetime) -> queue.Result:
    return queue.Result(status=DELIVERED, outcome="delivered", attempted_at=at, latency_ms=5)


def retry_later(at: datetime) -> queue.Result:
    return queue.Result(
        status=PENDING,
        outcome="retry",
        attempted_at=at,
        latency_ms=5,
        status_code=503,
        failures=1,
        next_attempt_at=at + timedelta(hours=1),
    )


async def test_an_event_becomes_one_delivery_per_matching_subscription(
    session: AsyncSession,
) -> None:
    owner, stranger = new_id(), new_id()
    entries = await subscribe(session, owner, "tt.time_entry.*")
    projects = await subscribe(session, owner, "tt.project.created")
    theirs = await subscribe(session, stranger, "*")
    watcher = await subscribe(session, new_id(), "tt.time_entry.created", admin=True)
    intake = DeliveryIntake(WINDOW)

    mine = entry(owner, new_id())
    await intake(session, [mine, synthetic_event(PROJECT_CREATED, new_id(), name="Website")])
    await intake(session, [mine])  # Kafka hands the same event over again

    assert [d.event_id for d in await deliveries(session, entries)] == [mine.id]
    assert [d.event_type for d in await deliveries(session, projects)] == ["tt.project.created"]
    # Another user's subscription gets shared records (projects) but not this user's entries;
    # an admin's gets everyone's.
    assert [d.event_type for d in await deliveries(session, theirs)] == ["tt.project.created"]
    assert [d.event_id for d in await deliveries(session, watcher)] == [mine.id]
    assert intake.recorded == 4  # the event handed over again recorded nothing


async def test_only_subscriptions_older_than_the_event_get_it(session: AsyncSession) -> None:
    owner = new_id()
    hook = await subscribe(session, owner, "*")
    before = dataclasses.replace(entry(owner, new_id()), time="2020-01-01T00:00:00Z")
    await DeliveryIntake(WINDOW)(session, [before, entry(owner, new_id())])
    assert len(await deliveries(session, hook)) == 1


async def test_a_deactivated_owners_subscriptions_stop_receiving(session: AsyncSession) -> None:
    owner = new_id()
    hook = await subscribe(session, owner, "tt.time_entry.*")
    leaving = synthetic_event(
        USER_UPDATED, owner, 2, username="leaver", is_admin=False, is_active=False
    )
    # In one batch: the entry before the user event is recorded, the one after it is not.
    await DeliveryIntake(WINDOW)(session, [entry(owner, new_id()), leaving, entry(owner, new_id())])
    assert len(await deliveries(session, hook)) == 1
    await session.refresh(hook)
    assert (hook.active, hook.disabled_reason) == (False, "owner_deactivated")


async def test_only_each_lanes_head_is_claimed_in_order(
    session: AsyncSession, connection: AsyncConnection
) -> None:
    owner, first, second = new_id(), new_id(), new_id()
    hook = await subscribe(session, owner, "tt.time_entry.*")
    intake = DeliveryIntake(WINDOW)
    await intake(session, [entry(owner, first, 1), entry(owner, second, 1), entry(owner, first, 2)])
    a1, b1, a2 = await deliveries(session, hook)
    assert (a1.lane, b1.lane, a2.lane) == (
        f"time_entry:{first}",
        f"time_entry:{second}",
        f"time_entry:{first}",
    )

    claimed = await claim(connection, "one")
    assert [job.id for job in claimed] == [a1.id, b1.id]  # a2 waits behind a1
    assert await claim(connection, "two") == []  # leased: never claimed twice

    # a1 fails and is due again in an hour: its lane waits; b's lane is done.
    now = datetime.now(UTC)
    results = {a1.id: retry_later(now), b1.id: delivered(now)}
    assert await queue.record(connection, [(j, "one", results[j.id]) for j in claimed]) == 2
    assert await claim(connection, "three") == []

    # Once a1 is due and delivered, a2 goes.
    await connection.execute(
        update(Delivery).where(Delivery.id == a1.id).values(next_attempt_at=func.now())
    )
    [again] = await claim(connection, "four")
    assert again.id == a1.id
    await queue.record(connection, [(again, "four", delivered(now))])
    assert [job.id for job in await claim(connection, "five")] == [a2.id]


async def test_a_result_whose_lease_was_lost_is_dropped(
    session: AsyncSession, connection: AsyncConnection
) -> None:
    owner = new_id()
    hook = await subscribe(session, owner, "*")
    await DeliveryIntake(WINDOW)(session, [entry(owner, new_id())])
    [job] = await claim(connection, "mine")
    lost = [(job, "someone-else", delivered(datetime.now(UTC)))]
    assert await queue.record(connection, lost) == 0
    [row] = await deliveries(session, hook)
    await session.refresh(row)
    assert (row.status, row.attempts) == (PENDING, 0)


async def test_each_subscription_gets_its_free_slots_only(
    session: AsyncSession, connection: AsyncConnection
) -> None:
    owner = new_id()
    busy_hook = await subscribe(session, owner, "*")
    other_hook = await subscribe(session, new_id(), "*", admin=True)
    await DeliveryIntake(WINDOW)(session, [entry(owner, new_id()) for _ in range(3)])
    one_each = await claim(connection, "a", per_subscription=1)
    assert sorted(job.subscription_id for job in one_each) == sorted([busy_hook.id, other_hook.id])
    # The dispatcher already sends 2 of busy_hook's 3: one slot of 3 is left for it.
    more = await claim(connection, "b", per_subscription=3, busy={busy_hook.id: 2})
    assert [job.subscription_id for job in more].count(busy_hook.id) == 1
