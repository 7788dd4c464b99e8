"""1,000 events to three subscribers, one of them slow: the other two are not held back,
nothing is lost, each entity's events arrive in order, and every request a receiver got
is an attempt in the delivery log (at least once: a repeat is a logged retry)."""

from __future__ import annotations

import threading
from datetime import datetime

from webhook_kit import Caller, Hooks, attempts_that_reached
from webhook_receivers import Answer, Received, Receiver, entity_id, entry_event

from support.api import wait_until

EVENTS = 1000
ENTITIES = 200
SLOW_SECONDS = 1.0


def _in_order(got: list[Received]) -> bool:
    versions: dict[str, list[int]] = {}
    for r in sorted(got, key=lambda r: r.at):
        body = r.json
        versions.setdefault(body["subject"], []).append(body["data"]["version"])
    return all(v == sorted(v) for v in versions.values())


def _delivered_ids(receiver: Receiver) -> set[str]:
    return {r.webhook_id for r in receiver.ok()}


def _wait_for_every_event(receiver: Receiver, ids: set[str], timeout: float) -> None:
    wait_until(
        lambda: _delivered_ids(receiver) >= ids, timeout=timeout, what="every event delivered"
    )


def test_a_slow_subscriber_does_not_delay_the_others(caller: Caller, hooks: Hooks) -> None:
    released = threading.Event()

    def slow_answer(_i: int, _b: bytes) -> Answer:
        return Answer(200, delay=0 if released.is_set() else SLOW_SECONDS)

    slow = hooks.receiver(slow_answer)
    fast = [hooks.receiver(), hooks.receiver()]
    hook_ids = {
        receiver.port: hooks.create(caller, receiver.url, ["tt.time_entry.*"])["webhook"]["id"]
        for receiver in (slow, *fast)
    }
    entries = [entity_id() for _ in range(ENTITIES)]
    events = [
        entry_event(caller.user_id, entry, v, "created" if v == 1 else "updated")
        for v in range(1, EVENTS // ENTITIES + 1)
        for entry in entries
    ]
    event_times = {e.id: datetime.fromisoformat(e.time).timestamp() for e in events}
    hooks.publish(events)

    for receiver in fast:
        _wait_for_every_event(receiver, set(event_times), timeout=120)
    slow_so_far = len(_delivered_ids(slow))
    # The slow one works through its own slots meanwhile, far behind the others: had it
    # held them back, they could not have finished before it got half as far.
    assert slow_so_far < EVENTS / 2, slow_so_far

    released.set()
    _wait_for_every_event(slow, set(event_times), timeout=120)  # nothing lost

    def p(receiver: Receiver, quantile: float) -> float:
        firsts: dict[str, float] = {}
        for r in receiver.ok():
            firsts.setdefault(r.webhook_id, r.wall - event_times[r.webhook_id])
        latencies = sorted(firsts.values())
        return latencies[int(len(latencies) * quantile)]

    # The fast subscribers' slowest 5% came sooner than the slow one's typical event.
    assert max(p(r, 0.95) for r in fast) < p(slow, 0.5)

    for receiver in (slow, *fast):
        assert _in_order(receiver.all())
        hook_id = hook_ids[receiver.port]

        def settled(hook_id: int = hook_id) -> list[dict[str, object]] | None:
            log = hooks.log(caller, hook_id)
            return log if all(d["status"] == "delivered" for d in log) else None

        log = wait_until(settled, what="every delivery logged")
        assert sorted(str(d["event_id"]) for d in log) == sorted(event_times)
        # Every request the receiver got is a logged attempt: a repeat is a logged retry.
        assert len(receiver.all()) <= attempts_that_reached(log)
