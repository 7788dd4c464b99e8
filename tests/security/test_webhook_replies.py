"""Findings 4 and 13: what a subscriber answers cannot break deliveries: a reply body with
NUL is stored sanitised and does not fail the other results saved with it, and a
``Retry-After`` that is not a number is ignored instead of crashing the delivery."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from webhook_kit import Caller, Callers, Hooks
from webhook_receivers import Answer, Receiver, entity_id, entry_event

from support.api import wait_until


def _delivered(hooks: Hooks, owner: Caller, hook_id: int, count: int) -> Callable[[], Any]:
    def probe() -> list[dict[str, Any]] | None:
        items = hooks.log(owner, hook_id)
        done = [d for d in items if d["status"] == "delivered"]
        return done if len(done) >= count else None

    return probe


def test_a_reply_with_nul_is_sanitised_and_does_not_fail_other_deliveries(
    callers: Callers, hooks: Hooks
) -> None:
    owner = callers.user()
    bad = hooks.receiver(lambda _i, _b: Answer(200, body=b"ok\x00\xff\x00done"))
    good = [hooks.receiver() for _ in range(4)]
    bad_id = hooks.create(owner, bad.url, ["tt.time_entry.*"])["webhook"]["id"]
    good_ids = [hooks.create(owner, r.url, ["tt.time_entry.*"])["webhook"]["id"] for r in good]
    events = [entry_event(owner.user_id, entity_id(), 1) for _ in range(5)]
    hooks.publish(events)

    for hook_id in good_ids:
        wait_until(
            _delivered(hooks, owner, hook_id, len(events)),
            timeout=30,
            interval=0.5,  # the owner's token allows 100 requests a minute
            what="the other subscriptions' deliveries recorded",
        )
    done = wait_until(
        _delivered(hooks, owner, bad_id, len(events)),
        timeout=30,
        interval=0.5,
        what="the NUL-replying subscription's deliveries recorded",
    )
    excerpts = {a["response_excerpt"] for d in done for a in d["attempts"]}
    assert all("\x00" not in (e or "") for e in excerpts), excerpts
    assert any(e and e.startswith("ok") and e.endswith("done") for e in excerpts), excerpts
    # Recorded once: nobody got a message twice because a result could not be saved.
    for receiver in (bad, *good):
        ids = [r.webhook_id for r in receiver.all()]
        assert len(ids) == len(set(ids)) == len(events), ids


def test_a_retry_after_that_is_not_a_number_is_ignored(callers: Callers, hooks: Hooks) -> None:
    owner = callers.user()
    answers = iter(
        [
            Answer(503, headers={"Retry-After": "\u00b2"}),
            Answer(429, headers={"Retry-After": "1e400"}),
            Answer(503, headers={"Retry-After": "Mon, 99 Foo 99999 99:99:99 GMT"}),
        ]
    )
    receiver: Receiver = hooks.receiver(lambda _i, _b: next(answers, Answer(200)))
    hook_id = hooks.create(owner, receiver.url, ["tt.time_entry.*"])["webhook"]["id"]
    hooks.publish([entry_event(owner.user_id, entity_id(), 1)])
    hooks.wait_for(receiver, 1, timeout=30)
    (delivery,) = wait_until(
        _delivered(hooks, owner, hook_id, 1), timeout=30, interval=0.5, what="delivered"
    )
    assert [a["status_code"] for a in delivery["attempts"]] == [503, 429, 503, 200]
    assert [r.status for r in receiver.all()] == [503, 429, 503, 200]
