"""Search: query latency through the gateway over 100k time entries, 10k projects and 10k
tasks, and how long an event takes to become searchable.

Targets: search p95 <= 30 ms through the gateway; event -> searchable p95
<= 500 ms. The corpus is published to Kafka as the time service's relay would publish it
(synthetic CloudEvents, ids far above the time service's), so the indexer builds it the
way it builds everything; it is published once and kept (a marker project records that,
and which bench user owns half the entries). Text comes from a generated vocabulary
with a Zipf-like word frequency, so there are common words (thousands of matches to
rank) as well as rare ones.

    ./dev up && ./dev bench search [--requests 300] [--events 100] [--reindex]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from _common import bench_user, platform_doc, print_table, rss_mb, summary_ms, synthetic_event
from support.api import mint_identity
from tt.common.contracts import all_event_types
from tt.common.contracts.time import PROJECT_CREATED
from tt.common.events import Event
from tt.common.topics import load_catalogue

GROUP = "tt.search.indexer"
CORPUS_VERSION = 1
FRESH_BASE = 8 * 10**15  # ids of the event -> searchable samples
TAGS = [f"tag{n}" for n in range(30)]


def vocabulary(size: int = 3000) -> list[str]:
    """Pronounceable made-up words, in a random order (their rank sets their frequency)."""
    rng = random.Random(7)
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
    words: dict[str, None] = {}
    while len(words) < size:
        words["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))] = None
    return list(words)


WORDS = vocabulary()
WEIGHTS = [1 / (rank + 1) for rank in range(len(WORDS))]


def phrase(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(rng.choices(WORDS, WEIGHTS, k=rng.randint(lo, hi)))


# ------------------------------------------------------------------ corpus


@dataclass(frozen=True)
class Corpus:
    """A corpus of given sizes; its ids and marker depend on them, so corpora of other
    sizes never overwrite each other's rows."""

    projects: int
    tasks: int
    clients: int
    entries: int

    @property
    def key(self) -> int:
        sizes = f"{CORPUS_VERSION}:{self.projects}:{self.tasks}:{self.clients}:{self.entries}"
        return zlib.crc32(sizes.encode()) % 1000

    @property
    def base(self) -> int:
        return 7 * 10**15 + self.key * 10**10  # far above the time service's ids

    @property
    def marker(self) -> str:
        return f"benchcorpusmarker{self.key}"

    def events(self, owner: int) -> Iterator[Event]:
        """Every event, lazily. Half the entries belong to ``owner`` (the bench user, whose
        own-entries searches then have as much to rank as an admin's)."""
        rng = random.Random(11)
        projects, tasks, clients, entries = self.projects, self.tasks, self.clients, self.entries

        def event(entity: str, n: int, state: dict[str, Any]) -> Event:
            entity_id = self.base + n
            return synthetic_event(all_event_types()[f"tt.{entity}.created"], entity_id, **state)

        yield event(
            "project", 0, {"name": self.marker, "description": f"owner {owner}", "status": "active"}
        )
        for n in range(1, projects + 1):
            archived = n % 10 == 0
            yield event(
                "project",
                n,
                {
                    "name": phrase(rng, 2, 3).title(),
                    "description": phrase(rng, 4, 12),
                    "status": "archived" if archived else "active",
                    "is_archived": archived,
                },
            )
        for n in range(1, tasks + 1):
            project = self.base + rng.randint(1, projects)
            yield event(
                "task",
                projects + n,
                {
                    "project_id": project,
                    "name": phrase(rng, 2, 4).capitalize(),
                    "description": phrase(rng, 0, 10),
                    "status": rng.choice(["todo", "in_progress", "review", "done"]),
                },
            )
        for n in range(1, clients + 1):
            name = phrase(rng, 1, 2).title()
            yield event(
                "client",
                projects + tasks + n,
                {
                    "name": name,
                    "email": f"{name.split()[0].lower()}{n}@example.test",
                    "company": f"{phrase(rng, 1, 2).title()} Ltd",
                },
            )
        for n in range(1, entries + 1):
            start = 1_700_000_000 + n * 3600
            yield event(
                "time_entry",
                projects + tasks + clients + n,
                {
                    "user_id": owner if n % 2 else owner + 10**9 + n % 7,
                    "project_id": self.base + rng.randint(1, projects),
                    "project": None,
                    "start_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start)),
                    "end_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + 1800)),
                    "duration_seconds": 1800,
                    "notes": phrase(rng, 3, 10),
                    "tags": ",".join(rng.sample(TAGS, rng.randint(0, 2))),
                },
            )


async def publish(bootstrap: str, events: Iterator[Event]) -> int:
    catalogue = load_catalogue("deploy/kafka/topics.yaml")
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=20
    )
    await producer.start()
    count = 0
    try:
        pending = []
        for event in events:
            topic = catalogue.for_entity(event.entity).name
            pending.append(await producer.send(topic, event.to_json(), key=event.subject.encode()))
            count += 1
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return count


async def group_lag(bootstrap: str) -> int:
    """Records the indexer has still to commit, over its topics."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(GROUP)
    finally:
        await admin.close()
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(list(committed))
    finally:
        await consumer.stop()
    return sum(max(0, ends[tp] - meta.offset) for tp, meta in committed.items())


async def wait_indexed(bootstrap: str, total: int) -> float:
    started = time.perf_counter()
    last = -1
    while (lag := await group_lag(bootstrap)) > 0:
        if lag != last and int(time.perf_counter() - started) % 10 == 0:
            print(f"  indexing: {lag} of {total} records to go", flush=True)
        last = lag
        await asyncio.sleep(1)
    return time.perf_counter() - started


# ------------------------------------------------------------------ users


def make_user(api: httpx.Client, *, is_admin: bool, user_id: int | None = None) -> tuple[int, str]:
    """A user (or ``user_id``) and a token whose rate limits are out of the way."""
    scopes = ["admin:all"] if is_admin else ["read:projects", "write:projects"]
    return bench_user(api, "bench-search", scopes, is_admin=is_admin, user_id=user_id)


# ------------------------------------------------------------------ measurements


def query_classes(rng: random.Random) -> dict[str, list[str]]:
    common, middle, rare = WORDS[:20], WORDS[100:600], WORDS[2000:]
    return {
        "common word": common,
        "mid word": middle,
        "rare word": rare,
        "prefix (4 chars)": [w[:4] for w in middle],
        "typo": [w[:-2] + w[-1] + w[-2] for w in middle if len(w) >= 7],
        "two words": [f"{rng.choice(middle)} {rng.choice(middle)}" for _ in range(200)],
        "2 characters": [w[:2] for w in middle],
        "no match": [f"zzq{n}xj" for n in range(200)],
    }


async def latencies(
    client: httpx.AsyncClient, queries: list[str], requests: int, **params: Any
) -> tuple[list[float], float]:
    rng = random.Random(3)
    seconds: list[float] = []
    results = 0
    for _ in range(requests):
        started = time.perf_counter()
        r = await client.get("/api/v1/search", params={"q": rng.choice(queries), **params})
        seconds.append(time.perf_counter() - started)
        r.raise_for_status()
        results += r.json()["count"]
    return seconds, results / requests


async def saturate(
    client: httpx.AsyncClient, queries: list[str], workers: int, seconds: float
) -> dict[str, float]:
    rng = random.Random(5)
    done: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            r = await client.get("/api/v1/search", params={"q": rng.choice(queries)})
            r.raise_for_status()
            done.append(time.perf_counter() - started)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    stats = summary_ms(done)
    return {
        "in flight": workers,
        "req/s": round(len(done) / (time.perf_counter() - t0), 1),
        "p50": stats["p50"],
        "p95": stats["p95"],
        "p99": stats["p99"],
    }


async def until_found(client: httpx.AsyncClient, q: str, within: float = 30) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < within:
        r = await client.get("/api/v1/search", params={"q": q, "types": "project"})
        if r.status_code == 200 and r.json()["count"]:
            return time.perf_counter() - started
        await asyncio.sleep(0.005)
    raise TimeoutError(f"{q!r} not searchable after {within}s")


async def event_to_searchable(
    doc: dict[str, Any], client: httpx.AsyncClient, n: int
) -> list[float]:
    """Kafka publish (acks=all) -> found through the gateway."""
    topic = load_catalogue("deploy/kafka/topics.yaml").for_entity("project").name
    producer = AIOKafkaProducer(bootstrap_servers=doc["kafka_bootstrap"], acks="all")
    await producer.start()
    out = []
    try:
        for _ in range(n):
            word = f"fresh{uuid.uuid4().hex[:12]}"
            entity_id = FRESH_BASE + random.randint(0, 10**12)
            event = synthetic_event(
                PROJECT_CREATED, entity_id, name=f"Fresh {word}", status="active"
            )
            started = time.perf_counter()
            await producer.send_and_wait(topic, event.to_json(), key=event.subject.encode())
            await until_found(client, word)
            out.append(time.perf_counter() - started)
            await asyncio.sleep(0.05 + random.random() * 0.1)
    finally:
        await producer.stop()
    return out


async def api_to_searchable(client: httpx.AsyncClient, n: int) -> list[float]:
    """POST /api/v1/projects (time service, outbox, relay, Kafka) -> found: end to end."""
    out = []
    for _ in range(n):
        word = f"made{uuid.uuid4().hex[:12]}"
        started = time.perf_counter()
        r = await client.post("/api/v1/projects", json={"name": f"Bench {word}"})
        r.raise_for_status()
        await until_found(client, word)
        out.append(time.perf_counter() - started)
        await client.delete(f"/api/v1/projects/{r.json()['project']['id']}")
        await asyncio.sleep(0.05 + random.random() * 0.1)
    return out


def memory(doc: dict[str, Any]) -> dict[str, float]:
    pids = Path(doc["state"]) / "pids"
    found = {}
    for path in sorted(pids.glob("search*.pid")):
        try:
            found[path.stem] = round(rss_mb(int(path.read_text().strip())), 1)
        except (OSError, ValueError):
            continue
    return found


async def table_size(doc: dict[str, Any]) -> dict[str, Any]:
    conn = await asyncpg.connect(doc["postgres"]["dsn"]["search"])
    try:
        row = await conn.fetchrow(
            "SELECT count(*) AS rows, pg_size_pretty(pg_total_relation_size('search_documents'))"
            " AS size FROM search_documents"
        )
        await conn.execute("ANALYZE search_documents")
    finally:
        await conn.close()
    return dict(row) if row else {}


def rebuild(doc: dict[str, Any]) -> str:
    env = {
        **os.environ,
        "TT_ENV": "test",
        "TT_SEARCH_DATABASE_URL": doc["postgres"]["dsn"]["search"].replace(
            "postgresql://", "postgresql+asyncpg://", 1
        ),
        "TT_KAFKA_BOOTSTRAP": doc["kafka_bootstrap"],
        "TT_OTEL_INSTRUMENT": "false",
        "TT_LOG_LEVEL": "WARNING",
    }
    result = subprocess.run(
        [sys.executable, "-m", "tt.search.worker", "--reindex"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=3600,
    )
    return result.stdout.strip().splitlines()[-1]


def prepare(doc: dict[str, Any], corpus: Corpus) -> tuple[int | None, int, str, str, str]:
    """(corpus owner if the corpus is indexed already, bench user id, its token, an
    admin's token, and an admin identity to call the search service without the gateway
    (no Traefik, no ForwardAuth): what the gateway would attach, signed with the
    platform's key)."""
    with httpx.Client(
        base_url=doc["gateway_url"],
        headers={"Authorization": f"Bearer {doc['admin']['token']}"},
        timeout=30,
    ) as api:
        seeded = api.get("/api/v1/search", params={"q": corpus.marker, "types": "project"})
        seeded = seeded.json()
        marker = [r for r in seeded["results"] if r["title"] == corpus.marker]
        owner = int(marker[0]["description"].split()[-1]) if marker else None
        user_id, user_token = make_user(api, is_admin=False, user_id=owner)
        admin_id, admin_token = make_user(api, is_admin=True)
    identity = mint_identity(
        json.loads(Path(doc["secrets_file"]).read_text())["identity_private_key"],
        user_id=admin_id,
        is_admin=True,
        scopes=["admin:all"],
        ttl=3600,
    )
    return owner, user_id, user_token, admin_token, identity


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=300, help="per query class and user")
    parser.add_argument("--events", type=int, default=100, help="event -> searchable samples")
    parser.add_argument("--reindex", action="store_true", help="also time a full rebuild")
    args = parser.parse_args()

    doc = platform_doc()
    print(
        f"platform {doc['gateway_url']}: {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    corpus = Corpus(args.projects, args.tasks, args.clients, args.entries)
    asyncio.run(measure(doc, args, corpus, *prepare(doc, corpus)))


async def measure(
    doc: dict[str, Any],
    args: argparse.Namespace,
    corpus: Corpus,
    owner: int | None,
    user_id: int,
    user_token: str,
    admin_token: str,
    identity: str,
) -> None:
    gateway = doc["gateway_url"]
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    user = httpx.AsyncClient(
        base_url=gateway, headers={"Authorization": f"Bearer {user_token}"}, limits=limits
    )
    admin = httpx.AsyncClient(
        base_url=gateway, headers={"Authorization": f"Bearer {admin_token}"}, limits=limits
    )
    direct = httpx.AsyncClient(
        base_url=doc["services"]["search"][0], headers={"X-TT-Identity": identity}, limits=limits
    )
    async with user, admin, direct:
        if owner is None:
            events = corpus.events(user_id)
            started = time.perf_counter()
            total = await publish(doc["kafka_bootstrap"], events)
            published = time.perf_counter() - started
            took = published + await wait_indexed(doc["kafka_bootstrap"], total)
            print_table(
                "Corpus",
                [{"events": total, "publish s": published, "indexed s": took,
                  "events/s": total / took}],
            )  # fmt: skip
        else:
            print(f"corpus already indexed (marker project found; entries of user {owner})")
        print_table("Search table", [await table_size(doc)])

        rng = random.Random(1)
        classes = query_classes(rng)
        for client in (user, admin):  # warm connections and caches
            await latencies(client, classes["mid word"], 50)
        rows: list[dict[str, Any]] = []
        everything: dict[str, list[float]] = {"user": [], "admin": []}
        for name, queries in classes.items():
            for who, client in (("user", user), ("admin", admin)):
                seconds, mean_results = await latencies(client, queries, args.requests)
                everything[who] += seconds
                stats = summary_ms(seconds)
                rows.append({"query": name, "caller": who, "results": round(mean_results, 1),
                             **{k: stats[k] for k in ("p50", "p95", "p99", "max")}})  # fmt: skip
        for who, seconds in everything.items():
            stats = summary_ms(seconds)
            rows.append({"query": "ALL", "caller": who, "results": "",
                         **{k: stats[k] for k in ("p50", "p95", "p99", "max")}})  # fmt: skip
        print_table(
            f"Search latency through the gateway, ms (sequential, {args.requests} per row;"
            " user = own entries only, admin = every entry; limit 10 per category)",
            rows,
        )
        limit50, _ = await latencies(admin, classes["common word"], args.requests, limit=50)
        print_table(
            "Worst case: common word, limit=50, admin, ms",
            [{k: v for k, v in summary_ms(limit50).items() if k != "n"}],
        )
        mixed = [q for qs in classes.values() for q in qs]
        split = []
        for where, client in (("through the gateway", admin), ("straight to search", direct)):
            seconds, _ = await latencies(client, mixed, args.requests * 2)
            split.append({"path": where, **summary_ms(seconds)})
        print_table("Where the time goes: mixed queries, admin, ms", split)
        print_table(
            "Throughput, mixed queries through the gateway (closed loop, 10 s)",
            [await saturate(admin, mixed, workers, 10) for workers in (4, 16)],
        )

        kafka = await event_to_searchable(doc, admin, args.events)
        api_path = await api_to_searchable(admin, max(10, args.events // 4))
        print_table(
            "Event -> searchable, ms (polled every 5 ms through the gateway)",
            [
                {"path": "Kafka publish -> found", **summary_ms(kafka)},
                {"path": "POST /api/v1/projects -> found", **summary_ms(api_path)},
            ],
        )
        print_table("Resident memory, MB", [memory(doc)])
        print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")
        if args.reindex:
            print(f"\nfull rebuild from the topics: {rebuild(doc)}")


if __name__ == "__main__":
    main()
