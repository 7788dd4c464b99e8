"""The steady mixed load: open-loop arrivals at fixed rates (a slow answer does not slow
the sender, as with real clients), each request retried once on a 5xx, a timeout or a
broken connection, creates with an ``Idempotency-Key`` kept across the retry.

The load goes through aiohttp, the set-up and clean-up through httpx: under httpx the
load generator took half a core at the drill's rates (its pool checks every connection
on every request, and connections pile up as answers slow down), on the two cores it
shares with the platform it measures."""

from __future__ import annotations

import asyncio
import random
import string
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import httpx
import orjson

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
    """A user of one episode: its token, a client for set-up and clean-up, the session the
    load goes through (``Load.run`` opens it), and the words its entries carry."""

    id: int
    token: str
    client: httpx.AsyncClient
    project_id: int
    words: list[str] = field(default_factory=list)
    session: aiohttp.ClientSession | None = None


@dataclass(frozen=True)
class Reply:
    """An answer as the load keeps it."""

    status: int
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")

    def json(self) -> Any:
        return orjson.loads(self.body)


def _word() -> str:
    return "".join(random.choices(string.ascii_lowercase, k=10))


class Load:
    """Sends the mix until ``stop`` is set; ``outcomes`` holds every request."""

    def __init__(self, users: list[DrillUser], rates: Rates, tag: str, gateway_url: str) -> None:
        self.users = users
        self.gateway_url = gateway_url
        self.rates = rates
        self.tag = tag
        self.outcomes: list[Outcome] = []
        self.skipped = 0
        # The first answer body of each (request kind, status) that was not a 2xx.
        self.examples: dict[tuple[str, str], str] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._next_user = 0

    async def run(self, stop: asyncio.Event) -> None:
        for user in self.users:
            user.session = user_session(self.gateway_url, user.token)
        try:
            tickers = [
                self._ticker(op, rate, stop) for op, rate in vars(self.rates).items() if rate > 0
            ]
            await asyncio.gather(*tickers)
            if self._tasks:  # the last requests: bounded by their tries' timeouts
                await asyncio.wait(self._tasks, timeout=TRIES * (TIMEOUT + RETRY_AFTER + 1))
        finally:
            for user in self.users:
                if user.session is not None:
                    await user.session.close()

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
            assert user.session is not None
            answer, response = await _send(user.session, request)
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
    session: aiohttp.ClientSession, request: dict[str, Any]
) -> tuple[int | str, Reply | None]:
    method, url = request["method"], request["url"]
    options = {k: v for k, v in request.items() if k not in ("method", "url")}
    try:
        async with session.request(method, url, **options) as response:
            return response.status, Reply(response.status, await response.read())
    except TimeoutError:
        return "timeout", None
    except aiohttp.ClientError:
        return "connection", None


def user_session(gateway_url: str, token: str) -> aiohttp.ClientSession:
    """The load's session of one user (open it inside the running loop)."""
    return aiohttp.ClientSession(
        base_url=gateway_url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=aiohttp.ClientTimeout(total=TIMEOUT),
        connector=aiohttp.TCPConnector(limit=MAX_IN_FLIGHT, limit_per_host=MAX_IN_FLIGHT),
    )


def user_client(gateway_url: str, token: str) -> httpx.AsyncClient:
    """A user's client for an episode's set-up and clean-up (the load has its session)."""
    return httpx.AsyncClient(
        base_url=gateway_url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=httpx.Timeout(TIMEOUT),
    )
