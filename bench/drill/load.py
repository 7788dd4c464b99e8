"""The steady mixed load: open-loop arrivals at fixed rates (a slow answer does not slow
the sender, as with real clients), each request retried once on a 5xx, a timeout or a
broken connection, creates with an ``Idempotency-Key`` kept across the retry."""

from __future__ import annotations

import asyncio
import random
import string
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from drill.config import RETRY_AFTER, TIMEOUT, TRIES, Rates

# In-flight requests at most: past it an arrival is dropped and counted ("skipped"), so
# an outage where every request hangs until its timeout cannot pile up without bound.
MAX_IN_FLIGHT = 600


@dataclass
class Outcome:
    """One request as the client saw it, retry included."""

    op: str
    sent: float  # time.monotonic() of the first try
    done: float  # when the last try ended
    answers: list[int | str]  # each try's status, or "timeout" / "connection"
    entry_id: int | None = None  # a create answered 201
    key: str | None = None  # a create's Idempotency-Key

    @property
    def status(self) -> int | str:
        return self.answers[-1]

    @property
    def ok(self) -> bool:
        return isinstance(self.status, int) and 200 <= self.status < 300

    @property
    def seconds(self) -> float:
        return self.done - self.sent


def retryable(answer: int | str) -> bool:
    return isinstance(answer, str) or answer >= 500


@dataclass
class DrillUser:
    """A user of one episode: its token's client and the words its entries carry."""

    id: int
    client: httpx.AsyncClient
    project_id: int
    words: list[str] = field(default_factory=list)


def _word() -> str:
    return "".join(random.choices(string.ascii_lowercase, k=10))


class Load:
    """Sends the mix until ``stop`` is set; ``outcomes`` holds every request."""

    def __init__(self, users: list[DrillUser], rates: Rates, tag: str) -> None:
        self.users = users
        self.rates = rates
        self.tag = tag
        self.outcomes: list[Outcome] = []
        self.skipped = 0
        # The first answer body of each (request kind, status) that was not a 2xx.
        self.examples: dict[tuple[str, str], str] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._next_user = 0

    async def run(self, stop: asyncio.Event) -> None:
        tickers = [
            self._ticker(op, rate, stop) for op, rate in vars(self.rates).items() if rate > 0
        ]
        await asyncio.gather(*tickers)
        if self._tasks:  # the last requests: bounded by their tries' timeouts
            await asyncio.wait(self._tasks, timeout=TRIES * (TIMEOUT + RETRY_AFTER + 1))

    async def _ticker(self, op: str, rate: float, stop: asyncio.Event) -> None:
        interval = 1.0 / rate
        next_at = time.monotonic() + random.random() * interval
        while not stop.is_set():
            delay = next_at - time.monotonic()
            if delay > 0:
                try:
                    await asyncio.wait_for(stop.wait(), delay)
                    return
                except TimeoutError:
                    pass
            next_at = max(next_at + interval, time.monotonic() - 1.0)  # no catch-up burst
            if len(self._tasks) >= MAX_IN_FLIGHT:
                self.skipped += 1
                continue
            task = asyncio.create_task(self._one(op))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _user(self) -> DrillUser:
        self._next_user = (self._next_user + 1) % len(self.users)
        return self.users[self._next_user]

    async def _one(self, op: str) -> None:
        user = self._user()
        request: dict[str, Any]
        key = None
        if op == "creates":
            key = f"drill-{uuid.uuid4().hex}"
            word = _word()
            ago = timedelta(days=random.randint(1, 40), minutes=random.randint(0, 1440))
            start = datetime.now(UTC) - ago
            request = {
                "method": "POST",
                "url": "/api/v1/time-entries",
                "json": {
                    "project_id": user.project_id,
                    "start_time": start.isoformat(),
                    "end_time": (start + timedelta(minutes=random.randint(5, 120))).isoformat(),
                    "notes": f"{self.tag} {key} {word}",
                    "billable": random.random() < 0.7,
                },
                "headers": {"Idempotency-Key": key},
            }
        elif op == "lists":
            request = {"method": "GET", "url": "/api/v1/time-entries", "params": {"per_page": 20}}
        elif op == "searches":
            q = random.choice(user.words[-200:]) if user.words else self.tag
            request = {"method": "GET", "url": "/api/v1/search", "params": {"q": q}}
        elif op == "stats":
            request = {"method": "GET", "url": "/api/v1/productivity/stats"}
        else:
            request = {"method": "GET", "url": "/api/v1/webhooks"}
        outcome = Outcome(op, time.monotonic(), 0.0, [], key=key)
        response = None
        for attempt in range(TRIES):
            if attempt:
                await asyncio.sleep(RETRY_AFTER + random.random() * 0.2)
            answer, response = await _send(user.client, request)
            outcome.answers.append(answer)
            if not (isinstance(answer, int) and 200 <= answer < 300):
                self.examples.setdefault(
                    (op, str(answer)), response.text[:300] if response is not None else ""
                )
            if not retryable(answer):
                break
        outcome.done = time.monotonic()
        if op == "creates" and outcome.ok and response is not None:
            outcome.entry_id = int(response.json()["time_entry"]["id"])
            user.words.append(request["json"]["notes"].rsplit(" ", 1)[1])
        self.outcomes.append(outcome)


async def _send(
    client: httpx.AsyncClient, request: dict[str, Any]
) -> tuple[int | str, httpx.Response | None]:
    try:
        response = await client.request(**request)
    except httpx.TimeoutException:
        return "timeout", None
    except httpx.TransportError:
        return "connection", None
    return response.status_code, response


def user_client(gateway_url: str, token: str) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=64)
    return httpx.AsyncClient(
        base_url=gateway_url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=httpx.Timeout(TIMEOUT),
        limits=limits,
    )
