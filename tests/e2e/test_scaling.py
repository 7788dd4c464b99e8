"""Independent scaling (docs/operations.md, Scaling): with 2 time replicas behind the gateway and 2
search workers in one consumer group, 10,000 entries created through the gateway are all
searchable, each exactly once, although one time replica and one search worker are
killed (SIGKILL) during the run. The client retries what failed in transit (connection
errors, the gateway's 502/503/504, and 409 while a killed replica's idempotency claim
is still held) with the same ``Idempotency-Key``, as the contract lets it; nothing else
may fail, no entry may be created twice, and no event may be lost.

It reshapes the shared test platform (``./dev scale``), so it runs with the fault tests,
at the end, and puts the platform back as it found it."""

from __future__ import annotations

import os
import random
import signal
import string
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from support.api import User, Users, token_client
from support.platform import PlatformInfo
from tt.devenv.procs import read_pid, running

# 10,000 creates through the gateway take minutes on 2 cores; the default 300 s is for
# ordinary tests.
pytestmark = [pytest.mark.fault, pytest.mark.timeout(1800)]

# The figure; TT_SCALING_ENTRIES (a multiple of BUCKET) shortens a local try.
ENTRIES = int(os.environ.get("TT_SCALING_ENTRIES", "10000"))
BUCKET = 50  # entries per search word: the most one search answers per category
CONCURRENCY = 16
RETRY_FOR = 120.0  # seconds a single create may keep retrying (a killed claim lasts 60 s)
KILL_TIME_REPLICA_AT = ENTRIES // 5
KILL_SEARCH_WORKER_AT = ENTRIES // 2


def word() -> str:
    """A random 12-letter word: one search token, unlike any other bucket's."""
    return "".join(random.choice(string.ascii_lowercase) for _ in range(12))


@dataclass
class Run:
    """What the client saw: an id per created entry, retries, replays, failures."""

    ids: dict[int, int] = field(default_factory=dict)
    retries: Counter[str] = field(default_factory=Counter)
    replays: int = 0
    failures: list[str] = field(default_factory=list)
    killed: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def scaled(local_platform, platform: PlatformInfo) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """2 time replicas and 2 search workers for the test, 1 and 1 again afterwards."""
    local_platform.scale("time", 2)
    local_platform.scale("search", 1, workers=2)
    platform.reload()
    try:
        yield local_platform
    finally:
        local_platform.scale("time", 1)
        local_platform.scale("search", 1, workers=1)
        platform.reload()


def _kill(local_platform, name: str, run: Run) -> None:  # type: ignore[no-untyped-def]
    pid = read_pid(local_platform.layout.pids, name)
    assert pid is not None, f"{name} has no pid file"
    assert running(local_platform.layout.pids, name), f"{name} is not running"
    os.killpg(pid, signal.SIGKILL)
    run.killed.append(name)


def _gateway_dropped(response: httpx.Response) -> bool:
    """Traefik's own plain-text 500, for a request whose replica died while answering it
    (a service's 500 is the JSON error body with a trace id). Whether the create committed
    is unknown, so the client retries it under its Idempotency-Key, as TimeTracker's mobile
    app retries every 5xx."""
    return response.status_code == 500 and response.text.strip() == "Internal Server Error"


def _create(client: httpx.Client, index: int, body: dict[str, object], run: Run, key: str) -> bool:
    """Send one create until it is answered; False when it must wait for a killed
    replica's idempotency claim to expire (409), which the caller does later, so the
    other creates are not held up meanwhile."""
    deadline = time.monotonic() + RETRY_FOR
    attempt = 0
    while True:
        try:
            response = client.post(
                "/api/v1/time-entries", json=body, headers={"Idempotency-Key": key}
            )
        except httpx.TransportError as exc:
            reason = type(exc).__name__
        else:
            if response.status_code == 201:
                with run.lock:
                    run.ids[index] = int(response.json()["time_entry"]["id"])
                    run.replays += response.headers.get("Idempotent-Replayed") == "true"
                return True
            if response.status_code == 409:
                with run.lock:
                    run.retries["409"] += 1
                return False
            if response.status_code not in (502, 503, 504) and not _gateway_dropped(response):
                with run.lock:
                    run.failures.append(f"{index}: {response.status_code} {response.text[:200]}")
                return True
            reason = str(response.status_code)
        with run.lock:
            run.retries[reason] += 1
        if time.monotonic() > deadline:
            with run.lock:
                run.failures.append(f"{index}: still {reason} after {RETRY_FOR:.0f}s of retries")
            return True
        # The gateway's round robin sends the next try to another replica: retry at once
        # a few times, then back off.
        attempt += 1
        if attempt > 3:
            time.sleep(min(0.05 * 2 ** (attempt - 3), 1.0))


def _read(client: httpx.Client, path: str, params: dict[str, object]) -> httpx.Response:
    """A GET retried like the creates: the gateway keeps the killed replica in its pool."""
    for _ in range(20):
        try:
            response = client.get(path, params=params)
        except httpx.TransportError:
            continue
        if response.status_code not in (502, 503, 504):
            return response
    raise AssertionError(f"GET {path} kept failing in transit")


def test_ten_thousand_entries_survive_a_killed_replica_and_a_killed_worker(
    scaled,
    users: Users,
    platform: PlatformInfo,  # type: ignore[no-untyped-def]
) -> None:
    owner: User = users.create()
    token, _ = users.token_for(
        owner.id,
        owner.scopes,
        rate_limit_per_minute=1_000_000,
        rate_limit_per_hour=100_000_000,
    )
    project = owner.api.post("/api/v1/projects", json={"name": "Scaling"})
    assert project.status_code == 201, project.text
    project_id = project.json()["project"]["id"]
    buckets = [word() for _ in range(ENTRIES // BUCKET)]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    run, done = Run(), Counter[str]()
    deferred: list[tuple[int, dict[str, object]]] = []
    prefix = uuid.uuid4().hex[:12]
    local = threading.local()

    def create(index: int) -> None:
        if not hasattr(local, "client"):
            local.client = token_client(platform.gateway_url, token)
        begins = start + timedelta(minutes=index)
        body = {
            "project_id": project_id,
            "start_time": begins.isoformat().replace("+00:00", "Z"),
            "end_time": (begins + timedelta(seconds=45)).isoformat().replace("+00:00", "Z"),
            "notes": f"{buckets[index // BUCKET]} scaled entry {index}",
        }
        if not _create(local.client, index, body, run, f"{prefix}-{index}"):
            with run.lock:
                deferred.append((index, body))
        with run.lock:
            done["created"] += 1
            count = done["created"]
        if count == KILL_TIME_REPLICA_AT:
            _kill(scaled, "time.1", run)
        if count == KILL_SEARCH_WORKER_AT:
            _kill(scaled, "search-worker.1", run)

    started = time.monotonic()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(create, range(ENTRIES)))
    # Creates that met a killed replica's claim: retried until it expires (60 s at most).
    retry_client = token_client(platform.gateway_url, token)
    claim_deadline = time.monotonic() + RETRY_FOR
    while deferred and time.monotonic() < claim_deadline:
        deferred = [
            (i, body)
            for i, body in deferred
            if not _create(retry_client, i, body, run, f"{prefix}-{i}")
        ]
        if deferred:
            time.sleep(1)
    assert deferred == [], f"{len(deferred)} creates still 409 after {RETRY_FOR:.0f}s"
    created_in = time.monotonic() - started

    assert run.failures == []
    assert run.killed == ["time.1", "search-worker.1"]
    assert len(run.ids) == ENTRIES
    assert len(set(run.ids.values())) == ENTRIES  # one entry per create, retries included
    listed = _read(
        token_client(platform.gateway_url, token), "/api/v1/time-entries", {"per_page": 1}
    )
    assert listed.status_code == 200, listed.text
    assert listed.json()["pagination"]["total"] == ENTRIES  # and none created twice

    expected = {
        w: {run.ids[i] for i in range(n * BUCKET, (n + 1) * BUCKET)} for n, w in enumerate(buckets)
    }
    pending = dict(expected)
    search = token_client(platform.gateway_url, token)
    deadline = time.monotonic() + 300
    while pending and time.monotonic() < deadline:
        for bucket_word, ids in list(pending.items()):
            r = search.get(
                "/api/v1/search", params={"q": bucket_word, "types": "entry", "limit": BUCKET}
            )
            assert r.status_code == 200, r.text
            hits = [hit["id"] for hit in r.json()["results"]]
            assert len(hits) == len(set(hits)), f"{bucket_word}: an entry found twice"
            assert set(hits) <= ids, f"{bucket_word}: found entries of another bucket"
            if set(hits) == ids:
                del pending[bucket_word]
        if pending:
            time.sleep(1)
    indexed_in = time.monotonic() - started
    assert pending == {}, f"{len(pending)} of {len(expected)} buckets incomplete in search"
    print(
        f"\nscaling: {ENTRIES} entries created in {created_in:.1f}s "
        f"({ENTRIES / created_in:.0f}/s, {CONCURRENCY} clients), all searchable after "
        f"{indexed_in:.1f}s; retries {dict(run.retries)}, replays {run.replays}, "
        f"killed {run.killed}"
    )
