"""Idempotency-Key on creates (docs/api.md §5), through the gateway, and with
Redis unavailable (a second time-service process whose Redis is a closed port)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import asyncpg
import httpx
import pytest
import redis
from timekit import Direct, create_project, every, ok

from support.api import User, Users, assert_error, unique, wait_until
from support.platform import PlatformInfo
from tt.common.settings import PlatformSettings


def entry_body(project_id: int, notes: str = "idempotent") -> dict[str, Any]:
    return {
        "project_id": project_id,
        "start_time": "2024-01-15T09:00:00Z",
        "end_time": "2024-01-15T10:00:00Z",
        "notes": notes,
    }


def entries_of(api: httpx.Client) -> list[dict[str, Any]]:
    body = ok(api.get("/api/v1/time-entries", params={"per_page": 100}))
    return list(body["time_entries"])


def test_replay_returns_the_first_answer(user: User) -> None:
    project = create_project(user.api)
    key = {"Idempotency-Key": unique("key-")}
    first = user.api.post("/api/v1/time-entries", json=entry_body(project["id"]), headers=key)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    again = user.api.post("/api/v1/time-entries", json=entry_body(project["id"]), headers=key)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert len(entries_of(user.api)) == 1

    # Same JSON, other key order and spacing: the same request.
    reordered = b'{"notes":"idempotent", "end_time":"2024-01-15T10:00:00Z",' + (
        b'"start_time":"2024-01-15T09:00:00Z","project_id":%d}' % project["id"]
    )
    replay = user.api.post(
        "/api/v1/time-entries",
        content=reordered,
        headers={**key, "Content-Type": "application/json"},
    )
    assert replay.status_code == 201
    assert replay.content == first.content

    changed = user.api.post(
        "/api/v1/time-entries", json=entry_body(project["id"], "other"), headers=key
    )
    assert_error(changed, 422, "idempotency_key_reused")
    assert len(entries_of(user.api)) == 1


def test_keys_belong_to_one_token(users: Users, user: User) -> None:
    project = create_project(user.api)
    other = users.create()
    key = {"Idempotency-Key": unique("shared-")}
    ok(user.api.post("/api/v1/time-entries", json=entry_body(project["id"]), headers=key), 201)
    theirs = other.api.post("/api/v1/time-entries", json=entry_body(project["id"]), headers=key)
    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers
    assert len(entries_of(other.api)) == 1


def test_failures_are_not_remembered(user: User) -> None:
    project = create_project(user.api)
    key = {"Idempotency-Key": unique("retry-")}
    bad = {**entry_body(project["id"]), "end_time": "2024-01-15T08:00:00Z"}
    assert_error(
        user.api.post("/api/v1/time-entries", json=bad, headers=key), 400, "validation_error"
    )
    fixed = user.api.post("/api/v1/time-entries", json=entry_body(project["id"]), headers=key)
    assert fixed.status_code == 201
    assert "Idempotent-Replayed" not in fixed.headers


def test_key_format(user: User) -> None:
    project = create_project(user.api)
    for key in ("k" * 129, "tab\tkey", "ключ"):
        r = user.api.post(
            "/api/v1/time-entries",
            json=entry_body(project["id"]),
            headers={"Idempotency-Key": key.encode("utf-8")},  # type: ignore[dict-item]
        )
        assert "Idempotency-Key" in assert_error(r, 400, "validation_error")["errors"]
    assert entries_of(user.api) == []


def test_fifty_concurrent_requests_with_one_key_create_one_entry(user: User) -> None:
    project = create_project(user.api)
    key = {"Idempotency-Key": unique("burst-")}
    body = entry_body(project["id"])

    def send(_: int) -> httpx.Response:
        return user.api.post("/api/v1/time-entries", json=body, headers=key)

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(send, range(50)))
    statuses = sorted({r.status_code for r in responses})
    assert set(statuses) <= {201, 409}, [
        r.text for r in responses if r.status_code not in (201, 409)
    ]
    created = [r for r in responses if r.status_code == 201]
    assert created
    assert len({r.content for r in created}) == 1
    for r in responses:
        if r.status_code == 409:
            assert r.json()["error_code"] == "conflict"
    assert len(entries_of(user.api)) == 1
    after = user.api.post("/api/v1/time-entries", json=body, headers=key)
    assert after.headers["Idempotent-Replayed"] == "true"


def test_other_creates_are_idempotent_too(user: User) -> None:
    key = {"Idempotency-Key": unique("client-")}
    name = unique("Idempotent client ")
    first = user.api.post("/api/v1/clients", json={"name": name}, headers=key)
    again = user.api.post("/api/v1/clients", json={"name": name}, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    names = [c["name"] for c in every(user.api, "/api/v1/clients", "clients")]
    assert names.count(name) == 1
    project = create_project(user.api)
    task_key = {"Idempotency-Key": unique("task-")}
    task = {"name": "once", "project_id": project["id"]}
    t1 = user.api.post("/api/v1/tasks", json=task, headers=task_key)
    t2 = user.api.post("/api/v1/tasks", json=task, headers=task_key)
    assert t1.content == t2.content
    assert t2.headers["Idempotent-Replayed"] == "true"


def created_then_forgotten_by_redis(
    platform: PlatformInfo, user: User, project_id: int, key: str
) -> httpx.Response:
    """A keyed create, whose record then leaves Redis (evicted, flushed, lost): only
    PostgreSQL's remains."""
    from tt.devenv.services import BY_NAME

    first = user.api.post(
        "/api/v1/time-entries", json=entry_body(project_id), headers={"Idempotency-Key": key}
    )
    assert first.status_code == 201
    with redis.Redis.from_url(f"{platform.redis_url}/{BY_NAME['time'].redis_db}") as r:
        assert r.delete(f"tt:time:idem:t{user.token_id}:{key}") == 1
    return first


def test_redis_holds_an_answer_only_while_retries_come(platform: PlatformInfo, user: User) -> None:
    """Redis is the fast path for a client's retries, not the 24 h record: that is
    PostgreSQL's (next test), so Redis does not grow by every keyed create of a day."""
    from tt.devenv.services import BY_NAME

    project = create_project(user.api)
    key = unique("cached-")
    first = user.api.post(
        "/api/v1/time-entries", json=entry_body(project["id"]), headers={"Idempotency-Key": key}
    )
    assert first.status_code == 201
    with redis.Redis.from_url(f"{platform.redis_url}/{BY_NAME['time'].redis_db}") as r:
        seconds = r.ttl(f"tt:time:idem:t{user.token_id}:{key}")
    cached = PlatformSettings.model_fields["idempotency_cache_seconds"].default
    assert 0 < seconds <= cached < PlatformSettings.model_fields["idempotency_ttl_seconds"].default


def test_postgresql_remembers_when_redis_forgets(platform: PlatformInfo, user: User) -> None:
    """The record in PostgreSQL outlives the Redis one (evicted, flushed, lost)."""
    project = create_project(user.api)
    key = unique("durable-")
    first = created_then_forgotten_by_redis(platform, user, project["id"], key)
    again = user.api.post(
        "/api/v1/time-entries", json=entry_body(project["id"]), headers={"Idempotency-Key": key}
    )
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    changed = user.api.post(
        "/api/v1/time-entries",
        json=entry_body(project["id"], "different"),
        headers={"Idempotency-Key": key},
    )
    assert_error(changed, 422, "idempotency_key_reused")
    assert len(entries_of(user.api)) == 1


def test_an_expired_key_starts_afresh(platform: PlatformInfo, user: User) -> None:
    """Past the retention window (``TT_IDEMPOTENCY_TTL_SECONDS``) a key's record no longer
    answers: the same key creates again, whatever the body, and its new answer is what
    it replays from then on."""
    project = create_project(user.api)
    key = unique("expired-")
    first = created_then_forgotten_by_redis(platform, user, project["id"], key)
    aged = on_time_database(
        platform,
        "UPDATE idempotency_records SET created_at = created_at - interval '30 days' "
        "WHERE scope = $1 AND key = $2",
        f"t{user.token_id}",
        key,
    )
    assert aged == "UPDATE 1"
    body = entry_body(project["id"], "after expiry")
    second = user.api.post("/api/v1/time-entries", json=body, headers={"Idempotency-Key": key})
    assert second.status_code == 201, second.text
    assert second.json()["time_entry"]["id"] != first.json()["time_entry"]["id"]
    replay = user.api.post("/api/v1/time-entries", json=body, headers={"Idempotency-Key": key})
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.content == second.content
    assert len(entries_of(user.api)) == 2


def on_time_database(platform: PlatformInfo, sql: str, *args: object) -> str:
    """One statement on the time service's database; its status (``UPDATE 1``)."""

    async def run() -> str:
        conn = await asyncpg.connect(platform.dsn("time"))
        try:
            return str(await conn.execute(sql, *args))
        finally:
            await conn.close()

    return asyncio.run(run())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def without_redis(platform: PlatformInfo) -> Iterator[str]:
    """A second time-service process on the same database, whose Redis is a closed port."""
    port, dead_redis = _free_port(), _free_port()
    dsn = platform.dsn("time").replace("postgresql://", "postgresql+asyncpg://", 1)
    env = {
        **os.environ,
        "TT_ENV": "test",
        "TT_TIME_DATABASE_URL": dsn,
        "TT_REDIS_URL": f"redis://127.0.0.1:{dead_redis}/1",
        "TT_KAFKA_BOOTSTRAP": platform.kafka_bootstrap,
        "TT_IDENTITY_PUBLIC_KEY": platform.secrets["identity_public_key"],
        "TT_OTEL_INSTRUMENT": "false",
        "TT_OTEL_EXPORTER_OTLP_ENDPOINT": "",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "tt.time.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def healthy() -> bool:
            try:
                return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(healthy, timeout=120, interval=0.2, what="a time service without Redis")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_one_entry_per_key_with_redis_down(without_redis: str, direct: Direct, user: User) -> None:
    project = create_project(user.api)
    headers = {
        **direct.identity(user_id=user.id, username=user.username),
        "Idempotency-Key": unique("no-redis-"),
    }
    body = entry_body(project["id"], "no redis")
    with httpx.Client(base_url=without_redis, headers=headers, timeout=30) as api:

        def send(_: int) -> httpx.Response:
            return api.post("/api/v1/time-entries", json=body)

        with ThreadPoolExecutor(max_workers=25) as pool:
            responses = list(pool.map(send, range(25)))
        assert {r.status_code for r in responses} == {201}, {r.text for r in responses}
        assert len({r.content for r in responses}) == 1
        assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 24
        reused = api.post("/api/v1/time-entries", json={**body, "notes": "changed"})
        assert_error(reused, 422, "idempotency_key_reused")
    assert len(entries_of(user.api)) == 1
