"""The outbox, its relay and the consumer runner, against the real PostgreSQL and Kafka."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from support.kafka import fetch_events, get_end_offsets, send_events, send_raw
from support.platform import PlatformInfo
from support.widgets import TOPIC, WidgetService, wait_for, widget_event
from tt.common.db import unit_of_work
from tt.common.topics import dlq_name


def new_id() -> str:
    return f"w-{uuid.uuid4().hex[:12]}"


async def test_committed_event_reaches_the_consumer_exactly_once(widgets: WidgetService) -> None:
    ids = [new_id() for _ in range(20)]
    for wid in ids:
        await widgets.write(wid, 1)

    rows = await wait_for(lambda: _applied_count(widgets, ids, 20), what="20 widgets applied")
    assert sorted(r.widget_id for r in rows) == sorted(ids)
    assert all(r.version == 1 for r in rows)
    assert await widgets.pending_outbox() == 0


async def _applied_count(widgets: WidgetService, ids: list[str], n: int):  # type: ignore[no-untyped-def]
    rows = await widgets.applied(ids)
    return rows if len(rows) >= n else None


async def test_rolled_back_transaction_publishes_nothing(
    widgets: WidgetService, platform: PlatformInfo
) -> None:
    rolled_back, committed = new_id(), new_id()
    await widgets.write(rolled_back, 1, rollback=True)
    await widgets.write(committed, 1)

    # The committed one is a marker: once it is through, the rolled-back one would be too.
    await wait_for(lambda: _applied_count(widgets, [committed], 1), what="marker applied")
    assert await widgets.applied([rolled_back]) == []
    on_topic = await fetch_events(platform.kafka_bootstrap, TOPIC, timeout=3)
    assert rolled_back not in {e.subject for e in on_topic}


async def test_replayed_older_version_is_ignored(
    widgets: WidgetService, platform: PlatformInfo
) -> None:
    wid = new_id()
    v2 = widget_event(wid, 2, name="second")
    await send_events(platform.kafka_bootstrap, [v2], topic=TOPIC)
    await wait_for(lambda: _applied_count(widgets, [wid], 1), what="v2 applied")

    # A replay of v2 and a late v1 arrive after v2: neither may be applied.
    await send_events(
        platform.kafka_bootstrap, [v2, widget_event(wid, 1, name="first")], topic=TOPIC
    )
    marker = new_id()
    await send_events(platform.kafka_bootstrap, [widget_event(marker, 1)], topic=TOPIC)
    await wait_for(lambda: _applied_count(widgets, [marker], 1), what="marker applied")

    rows = await widgets.applied([wid])
    assert [(r.version, r.event_id) for r in rows] == [(2, v2.id)]


async def test_poison_events_go_to_the_dlq_and_the_consumer_moves_on(
    widgets: WidgetService, platform: PlatformInfo
) -> None:
    dlq = dlq_name(TOPIC)
    since = await get_end_offsets(platform.kafka_bootstrap, dlq)
    garbage_key = new_id().encode()
    await send_raw(platform.kafka_bootstrap, TOPIC, garbage_key, b"{not json")
    exploding = new_id()
    await widgets.write(exploding, 1, explode=True)
    after = new_id()
    await widgets.write(after, 1)

    await wait_for(lambda: _applied_count(widgets, [after], 1), what="event after the poison")
    assert await widgets.applied([exploding]) == []

    records = await fetch_events(
        platform.kafka_bootstrap,
        dlq,
        since=since,
        raw=True,
        timeout=15,
        until=lambda events: any(e.subject == exploding for e in events),
    )
    by_key = {key: dict(headers) for key, _, headers in records}
    assert garbage_key in by_key, by_key.keys()
    assert b"MalformedEvent" in by_key[garbage_key]["x-tt-error"]
    assert by_key[garbage_key]["x-tt-original-topic"] == TOPIC.encode()
    assert b"PoisonWidget" in by_key[exploding.encode()]["x-tt-error"]
    assert by_key[exploding.encode()]["x-tt-consumer-group"] == widgets.group_id.encode()


_INSERT_GADGET = "INSERT INTO gadgets (id) VALUES ($1) RETURNING id"
_RENAME_GADGET = "UPDATE gadgets SET name = $2 WHERE id = $1 RETURNING id, name"


async def test_a_write_and_its_event_in_one_statement_land_together_or_not_at_all(
    widgets: WidgetService, platform: PlatformInfo
) -> None:
    """``Outbox.publish_with``: the hot writes send the row and its event in one statement,
    before the driver has begun a transaction, so the statement alone must make them land
    together: the event of a write that stored nothing, or failed, is never sent."""
    async with widgets.engine.begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE gadgets (id text PRIMARY KEY, name text)")
    stored, failed, unmatched = new_id(), new_id(), new_id()
    async with unit_of_work(widgets.sessions) as session:  # nothing else sent: no BEGIN yet
        row = await widgets.outbox.publish_with(
            session, _INSERT_GADGET, [stored], widget_event(stored, 1)
        )
    assert row["id"] == stored
    async with unit_of_work(widgets.sessions) as session:
        row = await widgets.outbox.publish_with(
            session, _RENAME_GADGET, [unmatched, "x"], widget_event(unmatched, 1)
        )
    assert row is None
    with pytest.raises(asyncpg.UniqueViolationError):
        async with unit_of_work(widgets.sessions) as session:
            await widgets.outbox.publish_with(
                session, _INSERT_GADGET, [stored], widget_event(failed, 1)
            )
    async with unit_of_work(widgets.sessions) as session:
        row = await widgets.outbox.publish_with(
            session, _RENAME_GADGET, [stored, "renamed"], widget_event(stored, 2)
        )
    assert (row["id"], row["name"]) == (stored, "renamed")

    # The relay is woken by the statement's NOTIFY; the second event of `stored` is the
    # marker: once it is applied, the two that must not exist would have been too.
    rows = await wait_for(
        lambda: _applied_count(widgets, [stored], 2), what="both events of the stored widget"
    )
    assert [r.version for r in rows] == [1, 2]
    assert await widgets.applied([failed, unmatched]) == []
    on_topic = await fetch_events(platform.kafka_bootstrap, TOPIC, timeout=3)
    assert not {failed, unmatched} & {e.subject for e in on_topic}
