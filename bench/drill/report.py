"""The figures of one episode, from what the client saw, the lag samples and the
consistency check: one row of the drill's table."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from _common import percentile
from drill.check import Consistency
from drill.config import P99_TOLERANCE, P99_WINDOW
from drill.load import Outcome
from drill.monitor import Sample


@dataclass(frozen=True)
class Marks:
    """When the phases of an episode began (time.monotonic())."""

    load: float  # the load started
    measured: float  # the warm-up ended: the pre-fault window starts
    injected: float  # the fault was injected
    restored: float  # the fault ended (the component is back)
    stopped: float  # the load stopped


def answers(outcomes: list[Outcome]) -> Counter[str]:
    """Every try's non-2xx answer, by status (a retried request counts each try)."""
    out: Counter[str] = Counter()
    for o in outcomes:
        for a in o.answers:
            if not (isinstance(a, int) and 200 <= a < 300):
                out[str(a)] += 1
    return out


def first_ok(outcomes: list[Outcome], injected: float) -> float | None:
    """Seconds from the injection to the first 2xx of a request sent after it."""
    done = [o.done for o in outcomes if o.ok and o.sent >= injected]
    return min(done) - injected if done else None


def before_fault(outcomes: list[Outcome], marks: Marks, pct: float) -> float:
    """A percentile of the request time in the window before the fault."""
    return percentile(
        [o.seconds for o in outcomes if marks.measured <= o.sent < marks.injected], pct
    )


def p99_back(outcomes: list[Outcome], marks: Marks, before: float) -> float | None:
    """Seconds from the fault's end to the start of the first ``P99_WINDOW``-second
    window whose p99 is within ``P99_TOLERANCE`` of ``before``."""
    start = marks.restored
    while start + P99_WINDOW <= marks.stopped:
        window = [o.seconds for o in outcomes if start <= o.sent < start + P99_WINDOW]
        if len(window) >= 5 and percentile(window, 99) <= before * P99_TOLERANCE:
            return start - marks.restored
        start += 0.5
    return None


def lag_peaks(samples: list[Sample], since: float) -> dict[str, int]:
    """The highest lag of each consumer, the outbox backlog and the pending deliveries
    from ``since`` on (samples the fault left unknown are skipped)."""
    peaks: dict[str, int] = {}
    for s in samples:
        if s.at < since:
            continue
        values: dict[str, int | None] = {**s.lag, "outbox": s.outbox, "pending": s.pending}
        for name, value in values.items():
            if value is not None:
                peaks[name] = max(peaks.get(name, 0), value)
    return peaks


def drained(samples: list[Sample], marks: Marks) -> float | None:
    """Seconds from the fault's end until every consumer's lag, the outbox and the
    pending deliveries are back within what they were before the fault."""
    ceiling = lag_peaks([s for s in samples if s.at < marks.injected], marks.measured)
    for s in samples:
        if s.at < marks.restored:
            continue
        values: dict[str, int | None] = {**s.lag, "outbox": s.outbox, "pending": s.pending}
        if all(v is not None and v <= ceiling.get(k, 0) for k, v in values.items()):
            return s.at - marks.restored
    return None


def _seconds(value: float | None, limit: str = "-") -> str:
    return f"{value:.1f}" if value is not None else limit


def _breakdown(counts: Counter[str]) -> str:
    total = sum(counts.values())
    if not total:
        return "0"
    parts = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
    return f"{total} ({parts})"


def row(
    name: str,
    outcomes: list[Outcome],
    skipped: int,
    samples: list[Sample],
    marks: Marks,
    result: Consistency,
) -> dict[str, Any]:
    before = before_fault(outcomes, marks, 99)
    median = before_fault(outcomes, marks, 50)
    back = p99_back(outcomes, marks, before)
    peaks = lag_peaks(samples, marks.injected)
    codes = answers(outcomes)
    drain = drained(samples, marks)
    applied = result.applied
    return {
        "fault": name,
        "sent": len(outcomes) + skipped,
        "2xx": sum(o.ok for o in outcomes),
        "non-2xx tries": " ".join(f"{k}:{v}" for k, v in sorted(codes.items())) or "0",
        "failed": sum(not o.ok for o in outcomes) + skipped,
        "first 2xx s": _seconds(first_ok(outcomes, marks.injected), "none"),
        "p50/p99 before ms": f"{median * 1000:.0f}/{before * 1000:.0f}",
        "p99 back s": _seconds(back, f">{marks.stopped - marks.restored:.0f}"),
        "events prod/p/s/w": f"{result.produced}/{applied.get('productivity', 0)}"
        f"/{applied.get('search', 0)}/{applied.get('webhooks', 0)}",
        "entries time/search/prod/subs": f"{result.entries}/{result.search}"
        f"/{result.productivity}/{'/'.join(map(str, result.deliveries))}",
        "lost": _breakdown(result.lost),
        "duplicated": _breakdown(result.duplicated),
        "redelivered": _breakdown(result.redelivered),
        "lag peak p/s/w (outbox, pending)": f"{peaks.get('productivity', 0)}"
        f"/{peaks.get('search', 0)}/{peaks.get('webhooks intake', 0)}"
        f" ({peaks.get('outbox', 0)}, {peaks.get('pending', 0)})",
        "drain s": _seconds(drain, "not"),
    }


def failures(outcomes: list[Outcome], examples: dict[tuple[str, str], str]) -> list[str]:
    """Per request kind: how many failed after the retry, each try's non-2xx answers,
    and the first body of each (to tell a timeout from a 503 and which service said it)."""
    lines = []
    for op in sorted({o.op for o in outcomes}):
        mine = [o for o in outcomes if o.op == op]
        codes = answers(mine)
        if not codes:
            continue
        failed = sum(not o.ok for o in mine)
        tries = " ".join(f"{k}:{v}" for k, v in sorted(codes.items()))
        lines.append(f"    {op}: {len(mine)} sent, {failed} failed; non-2xx tries {tries}")
        for (kind, code), body in sorted(examples.items()):
            if kind == op:
                lines.append(f"      {code}: {body[:200]}")
    return lines


def markdown(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(r[c]) for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def timeline(
    name: str, outcomes: list[Outcome], samples: list[Sample], marks: Marks
) -> list[dict[str, Any]]:
    """One record per second of the episode, from the injection (negative before it):
    the requests sent in that second (how many, how many failed, their p99), and the
    last lag/outbox/pending sample of it. ``./dev drill --timeline`` writes them."""
    seconds: dict[int, dict[str, Any]] = {}

    def at(t: float) -> dict[str, Any]:
        second = math.floor(t - marks.injected)
        return seconds.setdefault(
            second, {"fault": name, "t": second, "sent": 0, "failed": 0, "ms": []}
        )

    for o in outcomes:
        record = at(o.sent)
        record["sent"] += 1
        record["failed"] += not o.ok
        record["ms"].append((o.done - o.sent) * 1000)
    for s in samples:
        at(s.at).update(lag=s.lag, outbox=s.outbox, pending=s.pending)
    out = []
    for second in sorted(seconds):
        record = seconds[second]
        times = record.pop("ms")
        record["p99 ms"] = round(percentile(times, 99)) if times else None
        record["restored"] = marks.restored is not None and second == math.floor(
            marks.restored - marks.injected
        )
        out.append(record)
    return out
