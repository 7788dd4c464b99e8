"""Consistency of one episode against the source of truth, the time service's
``time_entries`` table: every entry once there, once on the topic, once in each read
model, delivered to each subscriber; every 201 the client got is a row there."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from drill.load import Outcome
from drill.subscribers import Delivery, Subscribers
from support.kafka import fetch_events

CREATED = "tt.time_entry.created"


@dataclass
class Snapshot:
    """What each store holds of the episode's entries (ids), at one moment."""

    truth: dict[int, str]  # entry id -> its Idempotency-Key (from the notes)
    outbox: int
    productivity: set[int]
    search: set[int]
    subscribers: list[set[int]]  # entry ids delivered (2xx) with their created event
    # Productivity's entries with a duration and the entries its day totals count, read
    # in one statement (one MVCC snapshot): more in the totals is an event applied twice.
    counted: tuple[int, int] = (0, 0)

    def caught_up(self) -> bool:
        ids = set(self.truth)
        return (
            self.outbox == 0
            and self.productivity == ids
            and ids <= self.search
            and all(ids <= got for got in self.subscribers)
        )


@dataclass
class Consistency:
    entries: int = 0
    search: int = 0
    productivity: int = 0
    deliveries: list[int] = field(default_factory=list)
    produced: int = 0  # distinct entry events on the topic for the episode's users
    topic_copies: int = 0  # records beyond one per event (a relay's resend: harmless)
    applied: dict[str, int] = field(default_factory=dict)  # per consumer
    lost: Counter[str] = field(default_factory=Counter)
    duplicated: Counter[str] = field(default_factory=Counter)
    # A delivery sent again under the same webhook-id (a worker killed after sending and
    # before recording it): at-least-once, as the contract says; subscribers drop it by id.
    redelivered: Counter[str] = field(default_factory=Counter)
    caught_up_after: float | None = None  # seconds after the load stopped


class Checker:
    def __init__(self, dsn: dict[str, str], bootstrap: str, topic: str) -> None:
        self.dsn = dsn
        self.bootstrap = bootstrap
        self.topic = topic

    async def _fetch(self, service: str, sql: str, *args: Any) -> list[Any]:
        conn = await asyncpg.connect(self.dsn[service], timeout=10)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    async def snapshot(self, users: list[int], subscribers: Subscribers) -> Snapshot:
        rows = await self._fetch(
            "time", "SELECT id, notes FROM time_entries WHERE user_id = ANY($1::bigint[])", users
        )
        truth = {r["id"]: (r["notes"] or "").split(" ")[1] for r in rows}
        outbox = (await self._fetch("time", "SELECT count(*) AS n FROM outbox"))[0]["n"]
        productivity = await self._fetch(
            "productivity",
            "SELECT id FROM time_entries WHERE user_id = ANY($1::bigint[])",
            users,
        )
        counted = await self._fetch(
            "productivity",
            "SELECT (SELECT count(*) FROM time_entries WHERE user_id = ANY($1::bigint[]) "
            "AND seconds IS NOT NULL) AS entries, (SELECT coalesce(sum(entries), 0) "
            "FROM user_days WHERE user_id = ANY($1::bigint[])) AS days",
            users,
        )
        search = await self._fetch(
            "search",
            "SELECT entity_id FROM search_documents "
            "WHERE kind = 'entry' AND owner_id = ANY($1::bigint[])",
            users,
        )
        delivered: list[set[int]] = [set() for _ in subscribers.urls]
        for d in subscribers.collect():
            if d.type == CREATED and 200 <= d.status < 300 and d.subject.isdigit():
                delivered[d.subscriber].add(int(d.subject))
        return Snapshot(
            truth,
            int(outbox),
            {r["id"] for r in productivity},
            {r["entity_id"] for r in search},
            delivered,
            (int(counted[0]["entries"]), int(counted[0]["days"])),
        )

    async def wait_caught_up(
        self,
        users: list[int],
        subscribers: Subscribers,
        settle: float,
    ) -> tuple[Snapshot, float | None]:
        """Poll until every store holds every entry, or ``settle`` seconds passed."""
        started = time.monotonic()
        previous: set[int] | None = None
        while True:
            try:
                snap = await self.snapshot(users, subscribers)
            except (OSError, asyncpg.PostgresError, TimeoutError):
                snap = None
            # Caught up, and no entry came since the last look: a create the client gave
            # up on (a timeout) may still commit after the load stopped.
            if snap is not None and snap.caught_up() and previous == set(snap.truth):
                return snap, time.monotonic() - started
            previous = set(snap.truth) if snap is not None else None
            if time.monotonic() - started > settle:
                if snap is None:
                    snap = await self.snapshot(users, subscribers)
                return snap, None
            await asyncio.sleep(2.0)

    async def check(
        self,
        users: list[int],
        outcomes: list[Outcome],
        subscribers: Subscribers,
        subscriptions: dict[int, int],
        since: dict[int, int],
        settle: float,
    ) -> Consistency:
        """``subscriptions``: subscription id -> subscriber index; ``since``: the
        topic's end offsets when the episode began."""
        snap, after = await self.wait_caught_up(users, subscribers, settle)
        out = Consistency(caught_up_after=after)
        truth = set(snap.truth)
        out.entries = len(truth)
        out.search = len(snap.search & truth)
        out.productivity = len(snap.productivity)

        # The client's view: every 201 is a row; no key made two rows.
        acked = {o.entry_id for o in outcomes if o.entry_id is not None}
        out.lost["acknowledged create"] = len(acked - truth)
        keys = Counter(snap.truth.values())
        out.duplicated["entry"] = sum(n - 1 for n in keys.values() if n > 1)

        # The topic: one created event per entry (copies are harmless: consumers
        # dedupe by version).
        events = await fetch_events(self.bootstrap, self.topic, since=since, timeout=60)
        mine = [
            e for e in events if e.entity == "time_entry" and int(e.state.get("id", 0)) in truth
        ]
        on_topic = {int(e.subject) for e in mine if e.type == CREATED}
        out.produced = len({(e.subject, e.version) for e in mine})
        out.topic_copies = len(mine) - len({e.id for e in mine})
        out.lost["event"] = len(truth - on_topic)

        # The read models.
        out.lost["productivity"] = len(truth - snap.productivity)
        out.duplicated["productivity phantom"] = len(snap.productivity - truth)
        entries, days = snap.counted
        out.duplicated["productivity applied twice"] = max(0, days - entries)
        out.lost["search"] = len(truth - snap.search)

        # Webhooks: what its consumer recorded, and what each subscriber got.
        recorded = await self._fetch(
            "webhooks",
            "SELECT d.subscription_id, e.subject FROM webhook_deliveries AS d "
            "JOIN webhook_events AS e ON e.id = d.event_id "
            "WHERE d.subscription_id = ANY($1::bigint[]) AND d.event_type = $2",
            list(subscriptions),
            CREATED,
        )
        by_subscriber: Counter[int] = Counter(
            subscriptions[r["subscription_id"]]
            for r in recorded
            if r["subject"].isdigit() and int(r["subject"]) in truth
        )
        out.applied = {
            "productivity": out.productivity,
            "search": out.search,
            "webhooks": min(by_subscriber.values(), default=0),
        }
        subjects = {str(i) for i in truth}
        ok = [
            d
            for d in subscribers.deliveries
            if 200 <= d.status < 300 and d.type == CREATED and d.subject in subjects
        ]
        for index, got in enumerate(snap.subscribers):
            out.lost[f"subscriber {index + 1}"] = len(truth - got)
            name = f"subscriber {index + 1}"
            out.redelivered[name], out.duplicated[name] = copies(
                [d for d in ok if d.subscriber == index]
            )
        out.deliveries = [len(got & truth) for got in snap.subscribers]
        return out


def copies(deliveries: list[Delivery]) -> tuple[int, int]:
    """Deliveries beyond one per event a subscriber answered 2xx: (sent again under the
    same webhook-id, which the subscriber drops by that id; an entry's creation under a
    second event id, a duplicate it cannot drop)."""
    again = Counter(d.event_id for d in deliveries)
    ids_per_entry = Counter(subject for subject, _ in {(d.subject, d.event_id) for d in deliveries})
    return sum(n - 1 for n in again.values()), sum(n - 1 for n in ids_per_entry.values())


def delivered_statuses(deliveries: list[Delivery]) -> Counter[int]:
    """How the subscribers answered (500s while one was made to fail)."""
    return Counter(d.status for d in deliveries)
