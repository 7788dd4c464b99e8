"""Helpers for the search tests: synthetic time-service events published to Kafka, a
barrier that waits until the indexer has committed past them, and callers.

The indexer commits a partition's offset only after its database transaction commits,
so "the group's committed offset is past my record" means "my event is applied (or
deliberately ignored)": tests can then assert what is absent as well as what is found.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from support.api import User, browser_session
from tt.common.events import Event, make_event
from tt.common.topics import load_catalogue

GROUP = "tt.search.indexer"
ENTITIES = ("project", "task", "client", "time_entry")
INDEX_TIMEOUT = 20.0


def word(prefix: str = "w") -> str:
    """A token no other test's data contains (letters only, so it is one word)."""
    return prefix + "".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(10))


def new_id() -> int:
    """An entity id far above what the time service hands out."""
    return random.randint(10**12, 9 * 10**12)


# ------------------------------------------------------------------ event builders


def _stamp() -> str:
    return "2026-01-05T09:00:00Z"


def project(pid: int, name: str, *, version: int = 1, verb: str = "created", **state: Any) -> Event:
    body = {
        "id": pid,
        "name": name,
        "code": None,
        "description": "",
        "client_id": None,
        "client": None,
        "billable": True,
        "hourly_rate": None,
        "estimated_hours": None,
        "budget_amount": None,
        "currency": "EUR",
        "status": "active",
        "is_archived": False,
        "created_at": _stamp(),
        "updated_at": _stamp(),
        **state,
    }
    return make_event(
        source="/tt/time", entity="project", verb=verb, entity_id=pid, version=version, state=body
    )


def task(
    tid: int, project_id: int, name: str, *, version: int = 1, verb: str = "created", **state: Any
) -> Event:
    body = {
        "id": tid,
        "project_id": project_id,
        "project": state.pop("project", None),
        "name": name,
        "description": "",
        "status": "todo",
        "priority": "medium",
        "assigned_to": None,
        "due_date": None,
        "estimated_hours": None,
        "tags": None,
        "created_by": 1,
        "created_at": _stamp(),
        "updated_at": _stamp(),
        "completed_at": None,
        **state,
    }
    return make_event(
        source="/tt/time", entity="task", verb=verb, entity_id=tid, version=version, state=body
    )


def client(cid: int, name: str, *, version: int = 1, verb: str = "created", **state: Any) -> Event:
    body = {
        "id": cid,
        "name": name,
        "email": None,
        "company": None,
        "phone": None,
        "address": None,
        "contact_person": None,
        "description": None,
        "default_hourly_rate": None,
        "currency": "EUR",
        "status": "active",
        "is_active": True,
        "created_at": _stamp(),
        "updated_at": _stamp(),
        **state,
    }
    return make_event(
        source="/tt/time", entity="client", verb=verb, entity_id=cid, version=version, state=body
    )


def entry(
    eid: int, user_id: int, notes: str, *, version: int = 1, verb: str = "created", **state: Any
) -> Event:
    body = {
        "id": eid,
        "user_id": user_id,
        "user": f"user{user_id}",
        "project_id": None,
        "project": None,
        "client_id": None,
        "client": None,
        "task_id": None,
        "task": None,
        "start_time": "2026-01-05T09:00:00Z",
        "end_time": "2026-01-05T10:30:00Z",
        "duration_seconds": 5400,
        "break_seconds": 0,
        "paused_at": None,
        "notes": notes,
        "tags": "",
        "billable": True,
        "paid": False,
        "source": "manual",
        "is_active": False,
        "approval_status": None,
        "created_at": _stamp(),
        "updated_at": _stamp(),
        **state,
    }
    return make_event(
        source="/tt/time",
        entity="time_entry",
        verb=verb,
        entity_id=eid,
        version=version,
        state=body,
    )


# ------------------------------------------------------------------ Kafka


@dataclass
class Indexer:
    """Publishes events as the time service's relay would, and waits for the indexer."""

    bootstrap: str
    catalogue: Any = field(default_factory=lambda: load_catalogue("deploy/kafka/topics.yaml"))

    def publish(self, *events: Event, raw: list[tuple[str, bytes, bytes | None]] = ()) -> None:
        """Send ``events`` (and ``raw`` (topic, key, value) records), then wait until the
        indexer has committed past every one of them."""
        sent = asyncio.run(self._send(events, raw))
        self.wait_past(sent)

    async def _send(
        self, events: tuple[Event, ...], raw: list[tuple[str, bytes, bytes | None]]
    ) -> dict[TopicPartition, int]:
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap, enable_idempotence=True, acks="all"
        )
        await producer.start()
        last: dict[TopicPartition, int] = {}
        try:
            records = [
                (self.catalogue.for_entity(e.entity).name, e.subject.encode(), e.to_json())
                for e in events
            ] + list(raw)
            for topic, key, value in records:
                meta = await producer.send_and_wait(topic, value, key=key)
                tp = TopicPartition(meta.topic, meta.partition)
                last[tp] = max(last.get(tp, -1), meta.offset)
        finally:
            await producer.stop()
        return last

    def committed(self) -> dict[TopicPartition, int]:
        async def run() -> dict[TopicPartition, int]:
            admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
            await admin.start()
            try:
                offsets = await admin.list_consumer_group_offsets(GROUP)
                return {tp: meta.offset for tp, meta in offsets.items()}
            finally:
                await admin.close()

        return asyncio.run(run())

    def wait_caught_up(self) -> None:
        """Wait until the indexer has committed everything on its topics so far."""

        async def ends() -> dict[TopicPartition, int]:
            consumer = AIOKafkaConsumer(
                *(self.catalogue.for_entity(e).name for e in ENTITIES),
                bootstrap_servers=self.bootstrap,
                enable_auto_commit=False,
            )
            await consumer.start()
            try:
                return dict(await consumer.end_offsets(list(consumer.assignment())))
            finally:
                await consumer.stop()

        self.wait_past({tp: end - 1 for tp, end in asyncio.run(ends()).items() if end > 0})

    def wait_past(self, last: dict[TopicPartition, int], timeout: float = INDEX_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while True:
            committed = self.committed()
            behind = {tp: off for tp, off in last.items() if committed.get(tp, 0) <= off}
            if not behind:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"indexer did not pass {behind} in {timeout}s: {committed}")
            time.sleep(0.05)


# ------------------------------------------------------------------ callers


@dataclass
class Caller:
    """A user of the platform searching through the gateway: v1 with their API token,
    legacy ``/api/search`` with a browser session (logged in on first use)."""

    user: User
    gateway: str
    _browser: httpx.Client | None = None

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def browser(self) -> httpx.Client:
        if self._browser is None:
            self._browser = browser_session(self.gateway, self.user.username, self.user.password)
        return self._browser

    def search(self, q: str | None = None, **params: Any) -> httpx.Response:
        return self.user.api.get("/api/v1/search", params=_params(q, params))

    def legacy(self, q: str | None = None, **params: Any) -> httpx.Response:
        return self.browser.get("/api/search", params=_params(q, params))

    def found(self, q: str, **params: Any) -> list[tuple[str, int]]:
        """``(type, id)`` of every result, in order; the call must succeed."""
        return [(item["type"], item["id"]) for item in self.results(q, **params)]

    def results(self, q: str, **params: Any) -> list[dict[str, Any]]:
        r = self.search(q, **params)
        assert r.status_code == 200, r.text
        return list(r.json()["results"])

    def close(self) -> None:
        self.user.api.close()
        if self._browser is not None:
            self._browser.close()


def _params(q: str | None, params: dict[str, Any]) -> dict[str, Any]:
    return {"q": q, **params} if q is not None else params
