"""What the drill sends and how long each phase lasts: the issue's figures, scaled down
(``--scale``) or shortened (``--quick``) for a busy machine."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Rates:
    """Requests per second of each kind, through the gateway."""

    creates: float = 60.0  # POST /api/v1/time-entries with an Idempotency-Key
    lists: float = 60.0  # GET /api/v1/time-entries
    searches: float = 20.0  # GET /api/v1/search
    # A trickle to the two services the mix above never reaches, so their replica
    # faults have requests to fail.
    stats: float = 2.0  # GET /api/v1/productivity/stats
    hooks: float = 1.0  # GET /api/v1/webhooks

    def scaled(self, factor: float) -> Rates:
        return Rates(**{f.name: getattr(self, f.name) * factor for f in fields(self)})

    def describe(self) -> str:
        return ", ".join(f"{f.name} {getattr(self, f.name):g}/s" for f in fields(self))


@dataclass(frozen=True)
class Timings:
    """Seconds. ``before``: steady load measured before the fault (the p99 to get back
    to); ``after``: load kept up after the fault ends (recovery is measured there);
    ``settle``: the longest wait for every consumer and subscriber to catch up."""

    warmup: float = 5.0
    before: float = 20.0
    after: float = 30.0
    settle: float = 180.0
    kafka_down: float = 60.0
    postgres_down: float = 30.0
    redis_down: float = 30.0
    replica_down: float = 10.0  # a killed HTTP replica is started again after this
    worker_down: float = 10.0
    subscriber_failing: float = 60.0
    # Retries back off exponentially from 5 s: after a minute of 500s the next try of a
    # delivery can be minutes away, so this row waits longer.
    subscriber_settle: float = 420.0

    def quick(self) -> Timings:
        return replace(
            self,
            warmup=3.0,
            before=10.0,
            after=15.0,
            settle=120.0,
            kafka_down=15.0,
            postgres_down=10.0,
            redis_down=10.0,
            replica_down=5.0,
            worker_down=5.0,
            subscriber_failing=15.0,
            subscriber_settle=180.0,
        )

    def describe(self) -> str:
        return ", ".join(f"{f.name} {getattr(self, f.name):g}s" for f in fields(self))


# A request counts as failed when it has no 2xx answer after this many tries: the
# reference mobile app's behaviour, one retry on a 5xx, a timeout or a broken connection.
TRIES = 2
RETRY_AFTER = 0.4  # seconds before the retry (plus up to 0.2 s of jitter)
TIMEOUT = 10.0  # seconds per try (the reference desktop client's)
# p99 counts as back when a 5-second window after the fault has a p99 within this factor
# of the one measured before it (the machine's own noise is larger than 0 %).
P99_WINDOW = 5.0
P99_TOLERANCE = 1.25
