"""The dispatcher: claims due deliveries and sends them, many at once.

Concurrency is bounded three times: ``max_in_flight`` for the process,
``max_in_flight_per_subscription`` for each subscriber, so a slow or dead subscriber uses
its own slots and never the others' (and lanes keep each entity's events in order), and
``max_in_flight_per_owner`` for all of one user's subscriptions together, so one user's
many slow subscriptions cannot hold every slot.
It wakes on its own completions, on the consumer's commits (same process), on NOTIFY
from other processes (redelivery, test events), on the earliest retry it scheduled, and
otherwise polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import Counter as Tally
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import Counter, Histogram
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

# Not policy.Backoff, the schedule of a delivery's attempts: this one paces the loop.
from tt.common.backoff import Backoff as RetryBackoff
from tt.common.consumer import is_transient
from tt.common.db import unit_of_work
from tt.webhooks.deliveries.models import DELIVERED, FAILED, PENDING
from tt.webhooks.deliveries.repository import DUE_CHANNEL
from tt.webhooks.dispatch import queue
from tt.webhooks.dispatch.policy import Backoff, Outcome, classify, next_attempt
from tt.webhooks.dispatch.recorder import Recorder
from tt.webhooks.dispatch.transport import Response, Transport
from tt.webhooks.runtime import Runtime
from tt.webhooks.signing import signature_header

log = logging.getLogger("tt.webhooks.dispatch")

ATTEMPTS = Counter("tt_webhook_attempts_total", "Webhook delivery attempts", ["outcome"])
DELIVERY_LATENCY = Histogram(
    "tt_webhook_delivery_seconds",
    "From recording a delivery to its successful attempt",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600),
)

CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
PURGE_EVERY_SECONDS = 3600.0


class Dispatcher:
    def __init__(
        self,
        rt: Runtime,
        engine: AsyncEngine,
        sessions: async_sessionmaker[AsyncSession],
        transport: Transport | None = None,
    ) -> None:
        settings = rt.settings
        self._rt = rt
        self._engine = engine
        self._sessions = sessions
        self._transport = transport or Transport(
            rt.policy,
            timeout=settings.timeout_seconds,
            connections=settings.max_in_flight_per_subscription,
        )
        self._backoff = Backoff(settings.retry_base_seconds, settings.retry_max_delay_seconds)
        self._limit = settings.max_in_flight
        self._per_subscription = settings.max_in_flight_per_subscription
        self._lease_seconds = settings.timeout_seconds + 30.0
        self._poll = settings.poll_interval_seconds
        self._user_agent = f"tt-webhooks/{settings.version}"
        self._wakeup = asyncio.Event()
        self._busy: Tally[int] = Tally()  # requests in flight per subscription
        self._busy_owners: Tally[int] = Tally()  # and per subscription owner
        self._per_owner = settings.max_in_flight_per_owner
        self._sending = 0  # requests in flight in all
        self._leases: dict[int, str] = {}  # delivery id -> lease token, while in flight
        self._tasks: set[asyncio.Task[None]] = set()
        self._next_retry: float | None = None  # loop time of the earliest retry we scheduled
        self._recorder = Recorder(engine)

    def wake(self) -> None:
        """Look for due deliveries now (called after the consumer commits)."""
        self._wakeup.set()

    async def run(self) -> None:
        """Dispatch until cancelled; then give back the leases of what was in flight."""
        helpers = [
            asyncio.create_task(self._listen(), name="webhooks-listen"),
            asyncio.create_task(self._recorder.run(), name="webhooks-record"),
        ]
        last_purge = 0.0
        retry = RetryBackoff(0.2, 10.0)
        try:
            while True:
                try:
                    full = await self.dispatch_once()
                    if time.monotonic() - last_purge > PURGE_EVERY_SECONDS:
                        last_purge = time.monotonic()
                        async with unit_of_work(self._sessions) as session:
                            await queue.purge(session, self._rt.settings.retention_days)
                        await self._transport.close_idle(PURGE_EVERY_SECONDS)
                    retry.reset()
                except Exception as exc:
                    if not is_transient(exc):
                        raise
                    log.warning("dispatcher: database unavailable, retrying: %s", exc)
                    await retry.wait()
                    continue
                if not full:
                    await self._sleep()
        finally:
            held = sorted(set(self._leases.values()))
            for task in [*helpers, *self._tasks]:
                task.cancel()
            await asyncio.gather(*helpers, *self._tasks, return_exceptions=True)
            await self._release(held)
            await self._transport.close()

    async def dispatch_once(self) -> bool:
        """Claim what is due and start sending it; True if more may be waiting."""
        self._wakeup.clear()
        free = self._limit - self._sending
        if free <= 0:
            return False
        token = uuid.uuid4().hex
        async with queue.autocommit(self._engine) as conn:
            jobs = await queue.claim(
                conn,
                token=token,
                limit=free,
                per_subscription=self._per_subscription,
                busy=self._busy,
                per_owner=self._per_owner,
                busy_owners=self._busy_owners,
                lease_seconds=self._lease_seconds,
            )
        for job in jobs:
            self._busy[job.subscription_id] += 1
            self._busy_owners[job.owner_id] += 1
            self._sending += 1
            self._leases[job.id] = token
            task = asyncio.create_task(self._deliver(job, token), name=f"delivery-{job.id}")
            self._tasks.add(task)
            task.add_done_callback(self._done)
        return len(jobs) == free

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("delivery task crashed", exc_info=task.exception())
        self._wakeup.set()  # the lane's next delivery may be due now

    async def _sleep(self) -> None:
        timeout = self._poll
        if self._next_retry is not None:
            until_retry = self._next_retry - asyncio.get_running_loop().time()
            if until_retry <= 0:
                self._next_retry = None
                return
            timeout = min(timeout, until_retry)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), timeout)

    async def _deliver(self, job: queue.Job, token: str) -> None:
        try:
            try:
                attempted_at = datetime.now(UTC)
                response = await self._send(job, attempted_at)
            finally:
                # The subscriber's slot is free once it answered; saving the result is ours.
                self._busy[job.subscription_id] -= 1
                if self._busy[job.subscription_id] <= 0:
                    del self._busy[job.subscription_id]
                self._busy_owners[job.owner_id] -= 1
                if self._busy_owners[job.owner_id] <= 0:
                    del self._busy_owners[job.owner_id]
                self._sending -= 1
                self._wakeup.set()
            result = self._judge(job, response, attempted_at)
            ATTEMPTS.labels(result.outcome).inc()
            if result.status == DELIVERED:
                DELIVERY_LATENCY.observe((attempted_at - job.created_at).total_seconds())
            # The lane's next delivery becomes claimable when this commits (the lease holds it).
            await self._recorder.save(job, token, result)
        finally:
            self._leases.pop(job.id, None)

    async def _send(self, job: queue.Job, attempted_at: datetime) -> Response:
        box = self._rt.box
        try:
            secrets = [box.open(job.secret_sealed)]
            grace = job.previous_secret_expires_at
            if (
                job.previous_secret_sealed is not None
                and grace is not None
                and grace > attempted_at
            ):
                secrets.append(box.open(job.previous_secret_sealed))
        except ValueError as exc:  # a misconfigured key: retry once the operator fixes it
            return Response(None, 0, error=str(exc))
        headers = [
            ("content-type", CONTENT_TYPE),
            ("user-agent", self._user_agent),
            ("webhook-id", job.event_id),
            ("webhook-timestamp", str(int(attempted_at.timestamp()))),
            (
                "webhook-signature",
                signature_header(job.event_id, attempted_at, job.payload, secrets),
            ),
        ]
        return await self._transport.post(job.subscription_id, job.url, headers, job.payload)

    def _judge(self, job: queue.Job, response: Response, attempted_at: datetime) -> queue.Result:
        outcome = classify(response)
        common: dict[str, Any] = {
            "outcome": outcome.value,
            "attempted_at": attempted_at,
            "latency_ms": response.latency_ms,
            "status_code": response.status,
            "excerpt": response.excerpt,
        }
        if outcome is Outcome.DELIVERED:
            return queue.Result(status=DELIVERED, **common)
        failures = job.consecutive_failures + 1
        error = response.error or f"HTTP {response.status}"
        if outcome is Outcome.RETRY:
            # The pause counts from the answer (as Retry-After does), not from the attempt's
            # start: a slow failing receiver still gets the whole backoff.
            answered_at = datetime.now(UTC)
            when = next_attempt(
                self._backoff, failures, response.retry_after, answered_at, job.retry_until
            )
            if when is not None:
                self._note_retry(when)
                return queue.Result(
                    status=PENDING, error=error, failures=failures, next_attempt_at=when, **common
                )
            error = f"gave up after the retry window: {error}"
        elif outcome is Outcome.GONE:
            error = "HTTP 410 Gone: the webhook was disabled"
        elif response.status is not None and 300 <= response.status < 400:
            error = f"HTTP {response.status}: redirects are not followed"
        return queue.Result(
            status=FAILED,
            error=error,
            failures=failures,
            disable_subscription=outcome is Outcome.GONE,
            **common,
        )

    def _note_retry(self, when: datetime) -> None:
        loop_time = asyncio.get_running_loop().time() + (when - datetime.now(UTC)) / timedelta(
            seconds=1
        )
        if self._next_retry is None or loop_time < self._next_retry:
            self._next_retry = loop_time

    async def _listen(self) -> None:
        """LISTEN for deliveries made due by other processes; reconnect if the link drops."""
        while True:
            try:
                async with self._engine.connect() as conn:
                    raw = await conn.get_raw_connection()
                    driver: Any = raw.driver_connection
                    await driver.add_listener(DUE_CHANNEL, lambda *_: self._wakeup.set())
                    while True:
                        await asyncio.sleep(30)
                        await driver.execute("SELECT 1")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("dispatcher: LISTEN connection lost, reconnecting: %s", exc)
                await asyncio.sleep(2.0)

    async def _release(self, tokens: list[str]) -> None:
        if not tokens:
            return
        try:
            async with queue.autocommit(self._engine) as conn:
                await queue.release(conn, tokens)
        except Exception as exc:  # shutting down: the leases expire on their own
            log.warning("dispatcher: could not release leases: %s", exc)
