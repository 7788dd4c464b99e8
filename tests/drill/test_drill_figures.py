"""The fault drill's figures (bench/drill/report.py, check.py): pure functions over what
the client saw and the lag samples, so a wrong number in the table is caught here."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from drill.check import Snapshot, copies
from drill.load import Outcome
from drill.monitor import Sample, group_lag
from drill.report import Marks, answers, drained, first_ok, lag_peaks, p99_back, timeline
from drill.subscribers import Delivery

MARKS = Marks(load=0.0, measured=5.0, injected=20.0, restored=30.0, stopped=60.0)


def steady(start: float, end: float, seconds: float, every: float = 0.1) -> list[Outcome]:
    out, t = [], start
    while t < end:
        out.append(Outcome("lists", t, t + seconds, [200]))
        t += every
    return out


def test_a_retried_request_counts_each_failed_try_and_fails_only_without_a_2xx() -> None:
    retried = Outcome("creates", 1.0, 2.0, [503, 201], entry_id=7, key="k")
    failed = Outcome("creates", 1.0, 2.0, ["timeout", 502])
    assert retried.ok
    assert not failed.ok
    assert answers([retried, failed]) == Counter({"503": 1, "timeout": 1, "502": 1})


def test_first_2xx_counts_only_requests_sent_after_the_injection() -> None:
    outcomes = [
        Outcome("lists", 19.0, 21.0, [200]),  # sent before: does not count
        Outcome("lists", 20.5, 22.0, [503, 503]),
        Outcome("lists", 21.0, 24.5, [200]),
    ]
    assert first_ok(outcomes, 20.0) == 4.5
    assert first_ok(outcomes[:2], 20.0) is None


def test_p99_is_back_at_the_first_window_within_the_tolerance() -> None:
    outcomes = steady(5.0, 20.0, 0.05) + steady(30.0, 40.0, 1.0) + steady(40.0, 60.0, 0.05)
    assert p99_back(outcomes, MARKS, before=0.05) == 10.0
    assert p99_back(steady(30.0, 60.0, 1.0), MARKS, before=0.05) is None


def test_drain_is_when_every_lag_is_back_within_its_level_before_the_fault() -> None:
    def sample(at: float, lag: int | None, outbox: int | None) -> Sample:
        return Sample(at, {"productivity": lag, "search": 0}, outbox, 0)

    samples = [
        sample(10.0, 3, 1),  # before the fault: up to 3 behind, 1 in the outbox
        sample(25.0, None, None),  # the broker is down: unknown
        sample(31.0, 400, 900),
        sample(35.0, 3, 2),
        sample(38.0, 2, 1),
    ]
    assert lag_peaks(samples, MARKS.injected) == {
        "productivity": 400,
        "search": 0,
        "outbox": 900,
        "pending": 0,
    }
    assert drained(samples, MARKS) == 8.0


def test_a_store_missing_one_entry_has_not_caught_up() -> None:
    truth = {1: "a", 2: "b"}
    whole = Snapshot(truth, 0, {1, 2}, {1, 2, 9}, [{1, 2}, {1, 2}, {1, 2}])
    assert whole.caught_up()
    assert not Snapshot(truth, 0, {1, 2}, {1}, [{1, 2}] * 3).caught_up()
    assert not Snapshot(truth, 0, {1, 2}, {1, 2}, [{1, 2}, {2}, {1, 2}]).caught_up()
    assert not Snapshot(truth, 1, {1, 2}, {1, 2}, [{1, 2}] * 3).caught_up()


def test_a_group_whose_offsets_the_broker_does_not_give_has_no_lag_sample() -> None:
    ends = {0: 100, 1: 50, 2: 0}
    assert group_lag(ends, {0: 90, 1: 50}) == 10  # an empty partition needs no commit
    assert group_lag(ends, {0: 90, 1: 50, 2: -1}) == 10
    # Right after a broker restart the coordinator may answer without offsets: unknown,
    # not the whole topic (the drill once reported a lag peak of 200,890 that way).
    assert group_lag(ends, {}) is None
    assert group_lag(ends, {0: -1, 1: 50}) is None


def test_a_delivery_sent_again_is_a_redelivery_and_a_second_event_id_a_duplicate() -> None:
    def got(event_id: str, subject: str) -> Delivery:
        return Delivery(0, event_id, subject, "tt.time_entry.created", 200)

    once = [got("e1", "1"), got("e2", "2")]
    assert copies(once) == (0, 0)
    # The same webhook-id twice (a worker killed between sending and recording it).
    assert copies([*once, got("e1", "1")]) == (1, 0)
    # Entry 2's creation under a second id: a subscriber cannot tell it is a copy.
    assert copies([*once, got("e3", "2")]) == (0, 1)


def test_the_timeline_counts_each_second_from_the_injection() -> None:
    outcomes = [
        Outcome("lists", 19.5, 19.6, [200]),  # the second before the injection: -1
        Outcome("creates", 20.2, 20.3, [201]),
        Outcome("creates", 20.9, 31.0, ["timeout", "timeout"]),
    ]
    samples = [
        Sample(20.1, {"search": 5}, 10, 0),
        Sample(20.8, {"search": 9}, 12, 3),  # the last sample of second 0 wins
        Sample(30.4, {"search": 1}, 0, 0),
    ]
    records = {r["t"]: r for r in timeline("kafka", outcomes, samples, MARKS)}
    assert sorted(records) == [-1, 0, 10]
    assert records[-1]["sent"] == 1
    assert records[0] | {"p99 ms": None} == {
        "fault": "kafka",
        "t": 0,
        "sent": 2,
        "failed": 1,
        "lag": {"search": 9},
        "outbox": 12,
        "pending": 3,
        "p99 ms": None,
        "restored": False,
    }
    assert records[0]["p99 ms"] > 9_000
    assert records[10]["restored"]
    assert records[10]["sent"] == 0
