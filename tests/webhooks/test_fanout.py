"""1,000 events to three subscribers, one of them slow: the other two are not held back,
nothing is lost, nothing is duplicated, and each entity's events arrive in order."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import datetime

from webhook_receivers import Answer, Received, entity_id, entry_event

from conftest import Caller, Hooks
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


def test_a_slow_subscriber_does_not_delay_the_others(caller: Caller, hooks: Hooks) -> None:
    released = threading.Event()

    def slow_answer(_i: int, _b: bytes) -> Answer:
        return Answer(200, delay=0 if released.is_set() else SLOW_SECONDS)

    slow = hooks.receiver(slow_answer)
    fast = [hooks.receiver(), hooks.receiver()]
    ids = {}
    for receiver in (slow, *fast):
        ids[receiver.port] = hooks.create(caller, receiver.url, ["tt.time_entry.*"])["webhook"][
            "id"
        ]

    entries = [entity_id() for _ in range(ENTITIES)]
    per_entity = EVENTS // ENTITIES
    events = [
        entry_event(caller.user_id, entry, v, "created" if v == 1 else "updated")
        for v in range(1, per_entity + 1)
        for entry in entries
    ]
    started = time.monotonic()
    hooks.publish(events)

    for receiver in fast:
        hooks.wait_for(receiver, EVENTS, timeout=90)
    fast_done = time.monotonic() - started
    slow_so_far = len(slow.all())
    # The slow one works through its own slots meanwhile, far behind the others (had it
    # held them back, they could not have finished before it reached the same count).
    assert slow_so_far < EVENTS / 2, (slow_so_far, fast_done)

    event_times = {e.id: datetime.fromisoformat(e.time).timestamp() for e in events}
    fast_p95 = []
    for receiver in fast:
        got = receiver.all()
        latencies = sorted(r.wall - event_times[r.webhook_id] for r in got)
        fast_p95.append(latencies[int(len(latencies) * 0.95)])
        assert len(got) == EVENTS
        assert {r.webhook_id for r in got} == set(event_times)
        assert _in_order(got)

    released.set()
    hooks.wait_for(slow, EVENTS, timeout=120)
    print(
        f"fast done {fast_done:.1f}s, slow had {slow_so_far}, all {time.monotonic() - started:.1f}s"
    )
    got = slow.all()
    counts = Counter(r.webhook_id for r in got)
    assert set(counts) == set(event_times)  # nothing lost
    assert _in_order(got)

    # At least once: a repeat would have to show in the delivery log as a second attempt.
    for receiver in (slow, *fast):
        hook_id = ids[receiver.port]

        def logged(hook_id: int = hook_id) -> int | None:
            r = caller.api.get(
                f"/api/v1/webhooks/{hook_id}/deliveries",
                params={"status": "delivered", "per_page": 1},
            )
            total = int(r.json()["pagination"]["total"])
            return total if total == EVENTS else None

        wait_until(logged, what="every delivery logged")
        repeats = sum(n - 1 for n in Counter(r.webhook_id for r in receiver.all()).values())
        pending = caller.api.get(
            f"/api/v1/webhooks/{hook_id}/deliveries", params={"status": "pending"}
        ).json()["pagination"]["total"]
        assert pending == 0
        assert repeats == 0, repeats
