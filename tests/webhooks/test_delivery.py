"""Delivery through the real worker to real receivers on 127.0.0.1: signatures, the
CloudEvent body, retries, order per entity, 410, redirects, redelivery, test events."""

from __future__ import annotations

import base64
import itertools
import time

import orjson
from webhook_kit import Caller, Hooks, attempts_that_reached
from webhook_receivers import (
    Answer,
    always,
    entity_id,
    entry_event,
    verifies,
    verify,
)

from support.api import wait_until


def test_every_delivery_verifies_with_standardwebhooks_and_a_tampered_body_fails(
    caller: Caller, hooks: Hooks
) -> None:
    receiver = hooks.receiver()
    created = hooks.create(caller, receiver.url, ["tt.time_entry.*"])
    secret = created["secret"]
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    entry = entity_id()
    events = [
        entry_event(caller.user_id, entry, v, "created" if v == 1 else "updated") for v in (1, 2)
    ]
    hooks.publish(events)

    got = hooks.wait_for(receiver, 2)
    for received, event in zip(got, events, strict=True):
        # Exactly the CloudEvent JSON, identified by the event id, signed with our secret.
        assert verify(received, secret) == orjson.loads(event.to_json())
        assert received.webhook_id == event.id
        assert received.headers["content-type"].startswith("application/cloudevents+json")
        assert received.headers["webhook-signature"].startswith("v1,")
        assert abs(int(received.headers["webhook-timestamp"]) - time.time()) < 60

        tampered = received.body.replace(b'"billable":true', b'"billable":false')
        assert tampered != received.body
        forged = type(received)(received.path, received.headers, tampered, received.at, 200)
        assert not verifies(forged, secret)
        assert not verifies(received, "whsec_" + base64.b64encode(b"x" * 32).decode())

    def all_delivered() -> list[dict[str, object]] | None:
        items = hooks.deliveries(caller, created["webhook"]["id"], status="delivered")
        return items if len(items) == len(events) else None

    deliveries = wait_until(all_delivered, what="both deliveries logged")
    assert sorted(str(d["event_id"]) for d in deliveries) == sorted(e.id for e in events)
    assert all(d["attempt_count"] == 1 for d in deliveries)


def test_500_three_times_then_200_is_retried_and_delivered_once(
    caller: Caller, hooks: Hooks
) -> None:
    receiver = hooks.receiver(
        lambda i, _b: Answer(500, body=b"boom") if i < 3 else Answer(200, body=b"thanks")
    )
    created = hooks.create(caller, receiver.url, ["tt.time_entry.created"])
    event = entry_event(caller.user_id, entity_id(), 1)
    hooks.publish([event])

    hooks.wait_for(receiver, 1)
    requests = receiver.all()
    assert [r.status for r in requests] == [500, 500, 500, 200]
    assert {r.webhook_id for r in requests} == {event.id}  # one message, retried
    assert all(verifies(r, created["secret"]) for r in requests)

    def delivered() -> list[dict[str, object]] | None:
        items = hooks.deliveries(caller, created["webhook"]["id"])
        return items if items and items[0]["status"] == "delivered" else None

    (delivery,) = wait_until(delivered, what="the delivery marked delivered")
    assert delivery["attempt_count"] == 4
    attempts = delivery["attempts"]
    assert [a["status_code"] for a in attempts] == [500, 500, 500, 200]
    assert [a["outcome"] for a in attempts] == ["retry", "retry", "retry", "delivered"]
    assert attempts[0]["response_excerpt"] == "boom"
    assert attempts[-1]["response_excerpt"] == "thanks"
    assert all(isinstance(a["latency_ms"], int) and a["latency_ms"] >= 0 for a in attempts)
    # Backoff: the retries are spaced out, not fired back to back.
    gaps = [b.at - a.at for a, b in itertools.pairwise(requests)]
    assert all(gap >= 0.02 for gap in gaps), gaps


def test_retry_after_is_honoured_on_429(caller: Caller, hooks: Hooks) -> None:
    receiver = hooks.receiver(
        lambda i, _b: Answer(429, headers={"Retry-After": "1"}) if i == 0 else Answer(200)
    )
    hooks.create(caller, receiver.url, ["tt.time_entry.*"])
    hooks.publish([entry_event(caller.user_id, entity_id(), 1)])
    hooks.wait_for(receiver, 1)
    first, second = receiver.all()
    assert second.at - first.at >= 0.95


def test_a_receiver_down_for_a_while_gets_everything_in_order_per_entity(
    caller: Caller, hooks: Hooks
) -> None:
    receiver = hooks.receiver()
    created = hooks.create(caller, receiver.url, ["tt.time_entry.*"])
    receiver.stop()
    entries = [entity_id() for _ in range(4)]
    versions = range(1, 6)
    hooks.publish(
        [
            entry_event(caller.user_id, entry, v, "created" if v == 1 else "updated")
            for v in versions
            for entry in entries
        ]
    )

    def all_waiting() -> list[dict[str, object]] | None:
        items = hooks.deliveries(caller, created["webhook"]["id"], status="pending")
        retried = [d for d in items if int(str(d["attempt_count"])) >= 2]
        complete = len(items) == len(entries) * len(versions) and len(retried) == len(entries)
        return items if complete else None

    # Every event is recorded; each entity's first is being retried, the later ones wait.
    pending = wait_until(all_waiting, what="retries against the stopped receiver")
    assert all(d["attempts"][0]["outcome"] == "retry" for d in pending if d["attempts"])

    receiver.start()

    def settled() -> list[dict[str, object]] | None:
        log = hooks.log(caller, created["webhook"]["id"])
        return log if all(d["status"] == "delivered" for d in log) else None

    log = wait_until(settled, what="everything delivered once the receiver is back")
    got = receiver.ok()
    assert {r.webhook_id for r in got} == {str(d["event_id"]) for d in log}  # nothing lost
    # Nothing twice, unless the log shows the retry (an answer that came too late).
    assert len(receiver.all()) <= attempts_that_reached(log)
    for entry in entries:
        seen = [r.json["data"]["version"] for r in got if r.json["subject"] == str(entry)]
        assert sorted(set(seen)) == list(versions), (entry, seen)
        assert seen == sorted(seen), (entry, seen)  # in order


def test_410_disables_the_subscription(caller: Caller, hooks: Hooks) -> None:
    gone = hooks.receiver(always(410))
    control = hooks.receiver()
    disabled = hooks.create(caller, gone.url, ["tt.time_entry.*"])
    hooks.create(caller, control.url, ["tt.time_entry.*"])
    entry = entity_id()
    hooks.publish([entry_event(caller.user_id, entry, 1)])
    hooks.wait_for(control, 1)
    hooks.wait_for(gone, 1, ok_only=False)

    def disabled_webhook() -> dict[str, object] | None:
        body = caller.api.get(f"/api/v1/webhooks/{disabled['webhook']['id']}").json()["webhook"]
        return body if not body["active"] else None

    webhook = wait_until(disabled_webhook, what="the webhook disabled by 410")
    assert webhook["disabled_reason"] == "gone"
    (delivery,) = hooks.deliveries(caller, disabled["webhook"]["id"])
    assert delivery["status"] == "failed"
    assert delivery["attempt_count"] == 1

    hooks.publish([entry_event(caller.user_id, entry, 2, "updated")])
    hooks.wait_for(control, 2)
    assert len(gone.all()) == 1  # nothing more to the disabled one
    assert len(hooks.deliveries(caller, disabled["webhook"]["id"])) == 1


def test_other_4xx_and_redirects_fail_without_retry_or_following(
    caller: Caller, hooks: Hooks
) -> None:
    target = hooks.receiver()
    redirecting = hooks.receiver(always(302, headers={"Location": target.url}))
    rejecting = hooks.receiver(always(400, body=b"bad signature?"))
    redirect_hook = hooks.create(caller, redirecting.url, ["tt.time_entry.*"])
    reject_hook = hooks.create(caller, rejecting.url, ["tt.time_entry.*"])
    hooks.publish([entry_event(caller.user_id, entity_id(), 1)])

    for hook, receiver in ((redirect_hook, redirecting), (reject_hook, rejecting)):
        hooks.wait_for(receiver, 1, ok_only=False)

        def failed(hook_id: int = hook["webhook"]["id"]) -> list[dict[str, object]] | None:
            items = hooks.deliveries(caller, hook_id, status="failed")
            return items or None

        # Failed is final, after one attempt: no retry can follow, and the redirect was
        # not followed within that attempt.
        (delivery,) = wait_until(failed, what="a failed delivery")
        assert delivery["attempt_count"] == 1
    assert len(redirecting.all()) == 1
    assert len(rejecting.all()) == 1
    assert target.all() == []  # the redirect was not followed
    (rejected,) = hooks.deliveries(caller, reject_hook["webhook"]["id"])
    assert rejected["last_status_code"] == 400
    assert rejected["attempts"][0]["response_excerpt"] == "bad signature?"


def test_redeliver_sends_the_same_message_again(caller: Caller, hooks: Hooks) -> None:
    receiver = hooks.receiver()
    created = hooks.create(caller, receiver.url, ["tt.time_entry.*"])
    hook_id = created["webhook"]["id"]
    hooks.publish([entry_event(caller.user_id, entity_id(), 1)])
    (first,) = hooks.wait_for(receiver, 1)

    def delivered() -> list[dict[str, object]] | None:
        items = hooks.deliveries(caller, hook_id, status="delivered")
        return items or None

    (delivery,) = wait_until(delivered, what="delivered")
    r = caller.api.post(f"/api/v1/webhooks/{hook_id}/deliveries/{delivery['id']}/redeliver")
    assert r.status_code == 202, r.text
    assert r.json()["delivery"]["status"] == "pending"
    again = hooks.wait_for(receiver, 2)[1]
    assert again.webhook_id == first.webhook_id
    assert again.body == first.body
    assert verifies(again, created["secret"])

    def two_attempts() -> dict[str, object] | None:
        d = caller.api.get(f"/api/v1/webhooks/{hook_id}/deliveries/{delivery['id']}").json()
        return d["delivery"] if d["delivery"]["attempt_count"] == 2 else None

    detail = wait_until(two_attempts, what="the redelivery logged")
    assert detail["status"] == "delivered"
    assert detail["event"]["id"] == first.webhook_id  # the stored CloudEvent

    missing = caller.api.post(f"/api/v1/webhooks/{hook_id}/deliveries/999999999/redeliver")
    assert missing.status_code == 404
    assert missing.json()["error_code"] == "not_found"


def test_redeliver_of_a_pending_delivery_is_a_conflict(caller: Caller, hooks: Hooks) -> None:
    receiver = hooks.receiver(always(503))
    created = hooks.create(caller, receiver.url, ["tt.time_entry.*"])
    hook_id = created["webhook"]["id"]
    hooks.publish([entry_event(caller.user_id, entity_id(), 1)])
    hooks.wait_for(receiver, 1, ok_only=False)
    (delivery,) = hooks.deliveries(caller, hook_id)
    assert delivery["status"] == "pending"
    r = caller.api.post(f"/api/v1/webhooks/{hook_id}/deliveries/{delivery['id']}/redeliver")
    assert r.status_code == 409
    assert r.json()["error_code"] == "conflict"


def test_test_event_is_signed_and_logged(caller: Caller, hooks: Hooks) -> None:
    receiver = hooks.receiver()
    created = hooks.create(caller, receiver.url, ["tt.project.*"])
    hook_id = created["webhook"]["id"]
    r = caller.api.post(f"/api/v1/webhooks/{hook_id}/test")
    assert r.status_code == 202, r.text
    assert r.json()["delivery"]["event_type"] == "tt.webhook.test"
    (got,) = hooks.wait_for(receiver, 1)
    event = verify(got, created["secret"])
    assert event["type"] == "tt.webhook.test"
    assert event["specversion"] == "1.0"
    assert event["data"]["webhook"]["id"] == hook_id


def test_rotation_signs_with_both_secrets_during_the_grace_period(
    caller: Caller, hooks: Hooks
) -> None:
    receiver = hooks.receiver()
    created = hooks.create(caller, receiver.url, ["tt.time_entry.*"])
    hook_id, old = created["webhook"]["id"], created["secret"]
    rotated = caller.api.post(f"/api/v1/webhooks/{hook_id}/rotate-secret")
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new.startswith("whsec_")
    assert new != old
    assert rotated.json()["webhook"]["previous_secret_expires_at"] is not None

    hooks.publish([entry_event(caller.user_id, entity_id(), 1)])
    (got,) = hooks.wait_for(receiver, 1)
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    assert verifies(got, new)
    assert verifies(got, old)

    # Rotating with no grace period: only the newest secret signs.
    final = caller.api.post(
        f"/api/v1/webhooks/{hook_id}/rotate-secret", json={"grace_period_seconds": 0}
    ).json()["secret"]
    hooks.publish([entry_event(caller.user_id, entity_id(), 1)])
    latest = hooks.wait_for(receiver, 2)[1]
    assert verifies(latest, final)
    assert not verifies(latest, new)
    assert not verifies(latest, old)


def test_a_timeout_is_retried(caller: Caller, hooks: Hooks) -> None:
    # The test platform's delivery timeout is 2 s (TT_WEBHOOKS_TIMEOUT_SECONDS).
    receiver = hooks.receiver(lambda i, _b: Answer(200, delay=3.0) if i == 0 else Answer(200))
    created = hooks.create(caller, receiver.url, ["tt.time_entry.*"])
    hooks.publish([entry_event(caller.user_id, entity_id(), 1)])
    hooks.wait_for(receiver, 2, ok_only=False)

    def delivered() -> list[dict[str, object]] | None:
        items = hooks.deliveries(caller, created["webhook"]["id"], status="delivered")
        return items or None

    (delivery,) = wait_until(delivered, timeout=30, what="delivered after a timeout")
    first, second = delivery["attempts"]
    assert (first["outcome"], first["status_code"], first["error"]) == ("retry", None, "timed out")
    assert 1900 <= first["latency_ms"] < 3000
    assert second["outcome"] == "delivered"
