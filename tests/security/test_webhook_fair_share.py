"""Finding 10: one user's subscriptions share half of a dispatcher's sending slots, so
many slow subscriptions of one user cannot hold every slot while others wait."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from webhook_kit import Callers, Hooks
from webhook_receivers import Answer, entity_id, entry_event

from support.api import wait_until

SLOW = 1.5  # well under the test platform's 2 s delivery timeout (a timeout frees a slot early)
SUBSCRIPTIONS = 10
ENTITIES = 10  # 10 lanes per subscription: up to 8 in flight each, 80 wanted in all


def test_one_users_slow_subscriptions_do_not_delay_another_user(
    callers: Callers, hooks: Hooks
) -> None:
    greedy, other = callers.user(), callers.user()
    slow = [hooks.receiver(lambda _i, _b: Answer(200, delay=SLOW)) for _ in range(SUBSCRIPTIONS)]
    for receiver in slow:
        hooks.create(greedy, receiver.url, ["tt.time_entry.*"])
    fast = hooks.receiver()
    other_hook = hooks.create(other, fast.url, ["tt.time_entry.*"])["webhook"]["id"]
    hooks.publish([entry_event(greedy.user_id, entity_id(), 1) for _ in range(ENTITIES)])
    wait_until(
        lambda: sum(len(r.all()) for r in slow) >= 10,
        timeout=30,
        what="the slow subscriptions busy",
    )
    hooks.publish([entry_event(other.user_id, entity_id(), 1)])
    hooks.wait_for(fast, 1, timeout=30)

    def attempted() -> dict[str, Any] | None:
        log = hooks.log(other, other_hook)
        return log[0] if log and log[0]["attempts"] else None

    delivery = wait_until(attempted, timeout=30, interval=0.5, what="the attempt logged")
    queued = _at(delivery["attempts"][0]["attempted_at"]) - _at(delivery["created_at"])
    in_flight_at_once = max(
        sum(1 for r in slow for got in r.all() if got.at <= t < got.at + SLOW)
        for t in [got.at for r in slow for got in r.all()]
    )
    # Before: the greedy user held all 64 slots (93 requests in flight were seen across
    # retries) and the other user's delivery waited for a slot to free (SLOW seconds).
    assert in_flight_at_once <= 32, in_flight_at_once
    assert queued.total_seconds() < 1.0, (queued, in_flight_at_once)


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
