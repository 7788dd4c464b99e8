"""Which events reach which subscription: event-type globs, ownership (users get their own
records and the shared ones, admins everything), replays, and owners who leave."""

from __future__ import annotations

import uuid
from typing import Any

from webhook_kit import Caller, Callers, Hooks
from webhook_receivers import entity_id, entry_event, project_event

from support.api import wait_until
from support.events import synthetic_event
from support.kafka import end_offsets, publish_raw, read_events
from tt.common.contracts.auth import USER_UPDATED
from tt.common.topics import dlq_name, load_catalogue


def test_globs_choose_the_event_types(caller: Caller, hooks: Hooks) -> None:
    created_only = hooks.receiver()
    timers = hooks.receiver()
    everything = hooks.receiver()
    created_hook = hooks.create(caller, created_only.url, ["tt.time_entry.created"])
    timers_hook = hooks.create(caller, timers.url, ["tt.time_entry.timer_*"])
    hooks.create(caller, everything.url, ["*"])
    entry = entity_id()
    hooks.publish(
        [
            entry_event(caller.user_id, entry, 1, "timer_started"),
            entry_event(caller.user_id, entry, 2, "timer_stopped"),
            entry_event(caller.user_id, entry, 3, "updated"),
            entry_event(caller.user_id, entity_id(), 1, "created"),
        ]
    )
    hooks.wait_for(everything, 4)
    # Every event is recorded for all the subscriptions it matches at once: once "*" has
    # all four, the delivery log of the others is complete.
    assert _recorded_types(hooks, caller, timers_hook) == [
        "tt.time_entry.timer_started",
        "tt.time_entry.timer_stopped",
    ]
    assert _recorded_types(hooks, caller, created_hook) == ["tt.time_entry.created"]
    hooks.wait_for(timers, 2)
    hooks.wait_for(created_only, 1)
    assert [r.json["type"] for r in timers.all()] == [
        "tt.time_entry.timer_started",
        "tt.time_entry.timer_stopped",
    ]
    assert [r.json["type"] for r in created_only.all()] == ["tt.time_entry.created"]
    assert len(everything.all()) == 4


def _recorded_types(hooks: Hooks, owner: Caller, hook: dict[str, Any]) -> list[str]:
    """The event types of a subscription's recorded deliveries, oldest first."""
    items = hooks.deliveries(owner, hook["webhook"]["id"])
    return [d["event_type"] for d in sorted(items, key=lambda d: d["id"])]


def test_users_get_their_own_records_and_shared_ones_admins_get_all(
    callers: Callers, hooks: Hooks, admin: Caller
) -> None:
    alice, bob = callers.user(), callers.user()
    alices, admins = hooks.receiver(), hooks.receiver()
    alices_hook = hooks.create(alice, alices.url, ["tt.time_entry.*", "tt.project.*"])
    hooks.create(admin, admins.url, ["tt.time_entry.*", "tt.project.*"])
    mine, theirs, project = entity_id(), entity_id(), entity_id()
    hooks.publish(
        [
            entry_event(bob.user_id, theirs, 1),
            entry_event(alice.user_id, mine, 1),
            project_event(project, 1),
        ]
    )
    hooks.wait_for(admins, 3)
    # Bob's event reached the admin: it was recorded for every subscription it matched.
    recorded = hooks.deliveries(alice, alices_hook["webhook"]["id"])
    assert sorted(d["subject"] for d in recorded) == sorted([str(mine), str(project)])
    hooks.wait_for(alices, 2)
    assert sorted(r.json["subject"] for r in alices.all()) == sorted([str(mine), str(project)])
    assert {r.json["subject"] for r in admins.all()} == {str(mine), str(theirs), str(project)}


def test_a_replayed_or_stale_event_is_delivered_once(caller: Caller, hooks: Hooks) -> None:
    receiver = hooks.receiver()
    hooks.create(caller, receiver.url, ["tt.time_entry.*"])
    entry = entity_id()
    first = entry_event(caller.user_id, entry, 1)
    second = entry_event(caller.user_id, entry, 2, "updated")
    stale = entry_event(caller.user_id, entry, 1, "updated")
    hooks.publish([first, second, first, second, stale])
    hooks.wait_for(receiver, 2)
    marker = entry_event(caller.user_id, entry, 3, "updated")
    hooks.publish([marker])  # same partition, after the replays: they were handled before it
    hooks.wait_for(receiver, 3)
    assert [r.webhook_id for r in receiver.all()] == [first.id, second.id, marker.id]


def test_subscriptions_made_after_an_event_do_not_get_it(caller: Caller, hooks: Hooks) -> None:
    receiver = hooks.receiver()
    entry = entity_id()
    before = entry_event(caller.user_id, entry, 1)  # happened before the subscription
    hooks.create(caller, receiver.url, ["tt.time_entry.*"])
    after = entry_event(caller.user_id, entry, 2, "updated")
    hooks.publish([before, after])
    # One entity, one lane: had ``before`` been recorded, it would have gone out first.
    hooks.wait_for(receiver, 1)
    assert [r.webhook_id for r in receiver.all()] == [after.id]


def test_a_deactivated_owners_webhooks_stop(caller: Caller, hooks: Hooks, admin: Caller) -> None:
    receiver, witness = hooks.receiver(), hooks.receiver()
    hook_id = hooks.create(caller, receiver.url, ["tt.time_entry.*"])["webhook"]["id"]
    deactivated = synthetic_event(
        USER_UPDATED,
        caller.user_id,
        10_000,  # newer than anything auth has published for this user
        username="x",
        is_active=False,
    )
    hooks.publish([deactivated])

    def paused() -> dict[str, object] | None:
        # (auth never sees this synthetic event: the user can still call the API)
        webhook: dict[str, object] = caller.api.get(f"/api/v1/webhooks/{hook_id}").json()["webhook"]
        return webhook if not webhook["active"] else None

    webhook = wait_until(paused, what="the webhook paused")
    assert webhook["disabled_reason"] == "owner_deactivated"
    # An admin's subscription to the same events is the witness: once it has the entry,
    # the event was recorded for every subscription it matched.
    hooks.create(admin, witness.url, ["tt.time_entry.*"])
    entry = entry_event(caller.user_id, entity_id(), 1)
    hooks.publish([entry])
    hooks.wait_for(witness, 1)
    assert [r.webhook_id for r in witness.all()] == [entry.id]
    assert hooks.deliveries(caller, hook_id) == []
    assert receiver.all() == []


def test_a_poison_record_is_dead_lettered_and_delivery_goes_on(
    caller: Caller, hooks: Hooks
) -> None:
    bootstrap = hooks.platform.kafka_bootstrap
    topic = load_catalogue("deploy/kafka/topics.yaml").for_entity("time_entry").name
    since = end_offsets(bootstrap, dlq_name(topic))
    receiver = hooks.receiver()
    hooks.create(caller, receiver.url, ["tt.time_entry.*"])
    key = f"poison-{uuid.uuid4().hex}".encode()
    publish_raw(bootstrap, topic, key, b"{not a cloudevent")
    event = entry_event(caller.user_id, entity_id(), 1)
    hooks.publish([event])
    (got,) = hooks.wait_for(receiver, 1)
    assert got.webhook_id == event.id

    def dead_lettered() -> list[object] | None:
        records = read_events(bootstrap, dlq_name(topic), since=since, raw=True, timeout=2)
        ours = [
            r for r in records if r[0] == key and ("x-tt-consumer-group", b"webhooks") in list(r[2])
        ]
        return ours or None

    wait_until(dead_lettered, what="the poison record in the DLQ")
