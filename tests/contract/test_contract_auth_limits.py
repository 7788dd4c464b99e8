"""docs/api.md §1 (scopes) and §3 (rate limits) on every service through the gateway: write
scopes do not imply read, ``admin:all`` implies every scope, and every token- or
session-authenticated answer, errors included, carries the limit headers with the
contract's exact values."""

from __future__ import annotations

import time

import httpx
import pytest
from contractkit import error, ok

from support.api import User, Users, browser_session, token_client, unique

POLICY = '"minute";q=100;w=60, "hour";q=1000;w=3600'


def _assert_limit_headers(r: httpx.Response, remaining: int | None = None) -> None:
    """X-RateLimit-* and the IETF fields, consistent with each other (docs/api.md §3)."""
    now = time.time()
    assert r.headers["X-RateLimit-Limit"] == "100", (r.url, dict(r.headers))
    left = int(r.headers["X-RateLimit-Remaining"])
    if remaining is not None:
        assert left == remaining, (r.url, left)
    reset = int(r.headers["X-RateLimit-Reset"])  # epoch seconds of the minute window's reset
    assert now - 1 <= reset <= now + 61, (reset, now)
    assert r.headers["RateLimit-Policy"] == POLICY
    name, r_part, t_part = r.headers["RateLimit"].split(";")
    assert name == '"minute"'
    assert r_part == f"r={left}"
    assert abs(int(t_part.removeprefix("t=")) - (reset - now)) <= 2, (t_part, reset, now)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/projects", 200),  # time
        ("GET", "/api/v1/projects/999999999", 404),
        ("POST", "/api/v1/time-entries", 400),
        ("GET", "/api/v1/users/me", 200),  # auth
        ("GET", "/api/v1/admin/users", 403),
        ("GET", "/api/v1/search?q=ab", 200),  # search
        ("GET", "/api/v1/search?q=a", 400),
        ("GET", "/api/v1/productivity/stats", 200),  # productivity
        ("GET", "/api/v1/stats/value-dashboard", 200),
        ("GET", "/api/v1/webhooks", 200),  # webhooks
        ("GET", "/api/v1/webhooks/999999999", 404),
    ],
)
def test_every_token_answer_carries_the_limit_headers(
    users: Users, method: str, path: str, status: int
) -> None:
    person = users.create()  # a fresh token: this is its first request
    r = person.api.request(method, path, json={} if method == "POST" else None)
    assert r.status_code == status, r.text
    _assert_limit_headers(r, remaining=99)


def test_session_requests_are_limited_per_user_with_the_same_headers(
    gateway_url: str, user: User
) -> None:
    first = browser_session(gateway_url, user.username, user.password)
    second = browser_session(gateway_url, user.username, user.password)
    try:
        _assert_limit_headers(first.get("/api/search", params={"q": "ab"}), remaining=99)
        # The second session of the same user draws on the same window.
        _assert_limit_headers(second.get("/api/productivity/stats"), remaining=98)
        # An error answer carries them too (stopping with no timer: 400 no_active_timer).
        stopped = second.post("/api/timer/stop")
        error(stopped, 400, "no_active_timer")
        _assert_limit_headers(stopped, remaining=97)
    finally:
        first.close()
        second.close()
    # The user's tokens have windows of their own.
    _assert_limit_headers(user.api.get("/api/v1/users/me"), remaining=99)


@pytest.mark.parametrize("resource", ["projects", "time_entries", "tasks", "clients"])
def test_write_does_not_imply_read(users: Users, resource: str) -> None:
    writer = users.create(scopes=[f"write:{resource}"])
    path = f"/api/v1/{resource.replace('_', '-')}"
    body = error(writer.api.get(path), 403, "forbidden")
    assert body["required_scope"] == f"read:{resource}"
    assert body["available_scopes"] == [f"write:{resource}"]


def test_admin_all_implies_every_scope(users: Users) -> None:
    admin = users.create(is_admin=True)  # its token has exactly ["admin:all"]
    assert admin.scopes == ["admin:all"]
    for path in (
        "/api/v1/projects",
        "/api/v1/time-entries",
        "/api/v1/tasks",
        "/api/v1/clients",
        "/api/v1/users/me",
        "/api/v1/reports/summary",
        "/api/v1/productivity/stats",
        "/api/v1/stats/value-dashboard",
        "/api/v1/search?q=ab",
        "/api/v1/webhooks",
        "/api/v1/admin/users",
    ):
        ok(admin.api.get(path))
    made = admin.api.post("/api/v1/projects", json={"name": unique("Admin project ")})
    assert made.status_code == 201, made.text


def test_the_headers_follow_the_tighter_window(users: Users, gateway_url: str) -> None:
    """docs/api.md §3: X-RateLimit-Reset is the tighter window's; with a token limited to 3 an
    hour, the hour window is the tighter one from the first request on."""
    person = users.create(scopes=["read:users"])
    token, _ = users.token_for(person.id, ["read:users"], rate_limit_per_hour=3)
    with token_client(gateway_url, token) as api:
        for left in (2, 1, 0):
            r = api.get("/api/v1/users/me")
            assert r.status_code == 200, r.text
            assert r.headers["X-RateLimit-Limit"] == "3"
            assert r.headers["X-RateLimit-Remaining"] == str(left)
            assert time.time() + 3500 <= int(r.headers["X-RateLimit-Reset"]) <= time.time() + 3601
            assert r.headers["RateLimit-Policy"] == '"minute";q=100;w=60, "hour";q=3;w=3600'
            assert r.headers["RateLimit"].startswith(f'"hour";r={left};t=')
        limited = api.get("/api/v1/users/me")
        error(limited, 429, "rate_limited")
        assert 3500 <= int(limited.headers["Retry-After"]) <= 3600
