"""Verify under changed topology: Redis stopped (process-local windows, logged) and two
auth replicas behind Traefik (limits shared through Redis). These stop or rescale shared
processes, so they run last (``fault``)."""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.api import TIMEOUT, User, Users, assert_error, unique, wait_until
from support.platform import PlatformInfo
from tt.devenv.procs import read_pid

pytestmark = pytest.mark.fault

VERIFY_COUNT = re.compile(
    r'^tt_http_requests_total\{[^}]*route="/internal/verify"[^}]*\} ([0-9.e+]+)$', re.M
)


def fresh_address() -> str:
    return str(ipaddress.IPv6Address((0xFD << 120) | secrets.randbits(64)))


def verify_calls(base: str) -> float:
    """How many verify requests one auth replica has served (from its /metrics)."""
    text = httpx.get(base + "/metrics", timeout=TIMEOUT).text
    return sum(float(v) for v in VERIFY_COUNT.findall(text))


@pytest.fixture
def redis_stopped(local_platform, platform: PlatformInfo) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Stops Redis; yields what auth logs from then on (read it after the requests)."""
    log = Path(platform.doc["logs"]) / "auth.0.log"
    start = log.stat().st_size
    local_platform.stop_process("redis")
    try:
        yield str(log) + f"@{start}"
    finally:
        local_platform.start_infra("redis")
        base = platform.service_url("auth")
        wait_until(
            lambda: httpx.get(base + "/readyz", timeout=TIMEOUT).status_code == 200,
            timeout=30,
            what="auth ready again",
        )


def test_with_redis_down_requests_pass_under_local_limits_and_it_is_logged(
    platform: PlatformInfo, user: User, redis_stopped: str
) -> None:
    path, _, start = redis_stopped.rpartition("@")
    answers = [user.api.get("/api/v1/users/me") for _ in range(100)]
    assert [a.status_code for a in answers] == [200] * 100
    remaining = [int(a.headers["X-RateLimit-Remaining"]) for a in answers]
    assert remaining == list(range(99, -1, -1))  # counted in this process's own window
    limited = user.api.get("/api/v1/users/me")
    assert_error(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) >= 1
    logged = Path(path).read_bytes()[int(start) :].decode(errors="replace")
    assert "Redis unavailable: rate limits fall back to process-local windows" in logged


@pytest.fixture
def two_auth_replicas(local_platform, platform: PlatformInfo) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    local_platform.scale("auth", 2)
    platform.reload()
    try:
        # Internal ports: they serve /metrics (verify_calls) and every route besides.
        yield [platform.internal_url("auth", 0), platform.internal_url("auth", 1)]
    finally:
        local_platform.scale("auth", 1)
        platform.reload()


def test_limits_hold_across_two_auth_replicas(two_auth_replicas: list[str], users: Users) -> None:
    user = users.create()
    before = [verify_calls(base) for base in two_auth_replicas]
    for _ in range(100):
        assert user.api.get("/api/v1/users/me").status_code == 200
    limited = user.api.get("/api/v1/users/me")
    assert_error(limited, 429, "rate_limited")
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    served = [verify_calls(base) - b for base, b in zip(two_auth_replicas, before, strict=True)]
    assert all(count >= 20 for count in served), served  # Traefik spread verify over both

    # The apps' login limit is shared too: five failures, alternating replicas, then 429.
    address = fresh_address()
    username = unique("target")
    users.create(username=username)
    for i in range(5):
        r = httpx.post(
            two_auth_replicas[i % 2] + "/api/v1/auth/login",
            json={"username": username, "password": "wrong-guess"},
            headers={"X-Forwarded-For": address},
            timeout=TIMEOUT,
        )
        assert r.status_code == 401
    for base in two_auth_replicas:
        r = httpx.post(
            base + "/api/v1/auth/login",
            json={"username": username, "password": "wrong-guess"},
            headers={"X-Forwarded-For": fresh_address()},
            timeout=TIMEOUT,
        )
        assert_error(r, 429, "rate_limited")


@pytest.fixture(params=["time", "auth"])
def two_replicas(request, local_platform, platform: PlatformInfo) -> Iterator[tuple[str, object]]:  # type: ignore[no-untyped-def]
    """Two replicas of time (the routed service) or auth (whose verify every request
    passes through first)."""
    service = request.param
    local_platform.scale(service, 2)
    platform.reload()
    try:
        yield service, local_platform
    finally:
        local_platform.scale(service, 1)
        platform.reload()


def _accepts(host: str, port: int | None) -> bool:
    try:
        socket.create_connection((host, port or 80), timeout=0.5).close()
    except OSError:
        return False
    return True


def test_a_replica_killed_a_moment_ago_fails_no_request(
    two_replicas,
    platform: PlatformInfo,
    user: User,  # type: ignore[no-untyped-def]
) -> None:
    """Until its health check (every 2 s) takes a dead replica out of the pool, Traefik
    still gives it every other request, and each of those found the port closed (502).
    The gateway now sends a request that reached no replica to the next one: reads and
    creates alike, since nothing of it went out; and verify's calls to auth alike."""
    service, local_platform = two_replicas
    project = user.api.post("/api/v1/projects", json={"name": unique("reroute")})
    assert project.status_code == 201, project.text
    pid = read_pid(local_platform.layout.pids, f"{service}.1")
    assert pid is not None
    os.killpg(pid, signal.SIGKILL)
    # Once its port refuses connections (and Traefik has read the end of its idle
    # connections to it), what is left is the window this test is about. A request sent
    # in the very moment of the kill may still be written to a dying connection: that
    # one is the client's to retry, as a request in flight is.
    ports = [
        httpx.URL(url)
        for url in (platform.service_url(service, 1), platform.internal_url(service, 1))
    ]

    def gone() -> bool:
        return not any(_accepts(url.host, url.port) for url in ports)

    wait_until(gone, timeout=10, what=f"{service}.1 gone")
    time.sleep(0.1)
    answers = [user.api.get("/api/v1/projects").status_code for _ in range(10)]
    for minute in range(4):
        begins = f"2025-03-0{minute + 1}T09:00:00Z"
        body = {"project_id": project.json()["project"]["id"], "start_time": begins}
        body["end_time"] = begins.replace("09:", "10:")
        answers.append(user.api.post("/api/v1/time-entries", json=body).status_code)
    assert answers == [200] * 10 + [201] * 4
