"""Through the real gateway, with entries made through the time API: stats change when an
entry is created (the cache is dropped), are served from Redis when no timer runs and never
while one runs; the value dashboard's rate fallback; deprecation headers; auth rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import redis

from support.api import User, Users, assert_error, browser_session, wait_until

HOUR = timedelta(hours=1)
STATS = "/api/productivity/stats"
VALUE = "/api/stats/value-dashboard"


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _entry(user: User, hours: float, days_ago: int = 1, **body: Any) -> dict[str, Any]:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(
        days=days_ago, hours=hours + 1
    )
    if "project_id" not in body and "client_id" not in body:
        body["project_id"] = _created(user, "/api/v1/projects", {"name": "General"}, "project")
    r = user.api.post(
        "/api/v1/time-entries",
        json={"start_time": _iso(start), "end_time": _iso(start + hours * HOUR), **body},
    )
    assert r.status_code == 201, r.text
    entry: dict[str, Any] = r.json()["time_entry"]
    return entry


def _created(user: User, path: str, body: dict[str, Any], key: str) -> int:
    r = user.api.post(path, json=body)
    assert r.status_code == 201, r.text
    return int(r.json()[key]["id"])


@pytest.fixture
def session(user: User, gateway_url: str) -> Iterator[httpx.Client]:
    client = browser_session(gateway_url, user.username, user.password)
    yield client
    client.close()


def _poll(client: httpx.Client, path: str, check: Any, what: str) -> httpx.Response:
    def probe() -> httpx.Response | None:
        r = client.get(path)
        assert r.status_code == 200, r.text
        return r if check(r) else None

    return wait_until(probe, timeout=20, what=what)


def test_stats_change_after_an_entry_is_created(user: User, session: httpx.Client) -> None:
    before = session.get(STATS)
    assert before.status_code == 200
    assert before.json()["focus"]["sessions"] == 0
    _poll(session, STATS, lambda r: r.headers["X-Cache"] == "HIT", "empty stats cached")
    _entry(user, 2)
    after = _poll(
        session, STATS, lambda r: r.json()["focus"]["sessions"] == 1, "new entry (cache dropped)"
    )
    assert after.json()["focus"]["longest_session_hours"] == 2.0
    assert after.json()["streak"]["longest_streak"] == 1


def test_cached_in_redis_when_no_timer_runs(
    user: User, session: httpx.Client, cache_redis: redis.Redis
) -> None:
    _entry(user, 1)
    _poll(session, STATS, lambda r: r.json()["focus"]["sessions"] == 1, "entry applied")
    cached = _poll(session, STATS, lambda r: r.headers["X-Cache"] == "HIT", "served from Redis")
    assert cache_redis.hexists(f"productivity:stats:{user.id}", "30")
    again = session.get(STATS)
    assert again.headers["X-Cache"] == "HIT"
    assert again.json() == cached.json()
    # v1 shares the cache: the same user's stats through a token.
    v1 = user.api.get("/api/v1/productivity/stats")
    assert v1.headers["X-Cache"] == "HIT"
    assert v1.json() == cached.json()


def test_not_cached_while_a_timer_runs(
    user: User, session: httpx.Client, cache_redis: redis.Redis
) -> None:
    project = _created(user, "/api/v1/projects", {"name": "Timed"}, "project")
    _entry(user, 1, project_id=project)
    _poll(session, STATS, lambda r: r.headers["X-Cache"] == "HIT", "cached before the timer")
    r = user.api.post("/api/v1/timer/start", json={"project_id": project})
    assert r.status_code == 201, r.text
    running = _poll(
        session,
        STATS,
        lambda r: r.json()["summary"]["active_timer"] is not None,
        "running timer in the stats",
    )
    assert running.json()["summary"]["active_timer"]["project_name"] == "Timed"
    for _ in range(3):
        r = session.get(STATS)
        assert r.headers["X-Cache"] == "BYPASS"
        assert not cache_redis.hexists(f"productivity:stats:{user.id}", "30")
    assert user.api.post("/api/v1/timer/stop").status_code == 200
    stopped = _poll(
        session,
        STATS,
        lambda r: (
            r.json()["summary"]["active_timer"] is None and r.json()["focus"]["sessions"] == 2
        ),
        "stopped timer counted",
    )
    assert stopped.headers["X-Cache"] in ("MISS", "HIT")
    _poll(session, STATS, lambda r: r.headers["X-Cache"] == "HIT", "cached again")


def test_value_dashboard_rate_fallback(user: User, session: httpx.Client) -> None:
    rated_client = _created(
        user, "/api/v1/clients", {"name": "Rated", "default_hourly_rate": 50}, "client"
    )
    direct_client = _created(
        user, "/api/v1/clients", {"name": "Direct", "default_hourly_rate": 60}, "client"
    )
    late_client = _created(
        user, "/api/v1/clients", {"name": "Late", "default_hourly_rate": 40}, "client"
    )
    # 1. The project's own rate wins over its client's.
    priced = _created(
        user,
        "/api/v1/projects",
        {"name": "Priced", "client_id": rated_client, "hourly_rate": 100},
        "project",
    )
    _entry(user, 2, project_id=priced)
    _poll(session, VALUE, lambda r: r.json()["estimated_value_tracked"] == 200.0, "project rate")
    # 2. No project: the entry's client's default rate.
    _entry(user, 1, days_ago=2, client_id=direct_client)
    _poll(
        session, VALUE, lambda r: r.json()["estimated_value_tracked"] == 260.0, "entry client rate"
    )
    # 3. The entry has no client; its project gets one later: the project's client's rate.
    unpriced = _created(user, "/api/v1/projects", {"name": "Unpriced"}, "project")
    entry = _entry(user, 0.5, days_ago=3, project_id=unpriced)
    assert entry["client_id"] is None
    r = user.api.put(f"/api/v1/projects/{unpriced}", json={"client_id": late_client})
    assert r.status_code == 200, r.text
    value = _poll(
        session,
        VALUE,
        lambda r: r.json()["estimated_value_tracked"] == 280.0,
        "project client rate",
    ).json()
    assert value["entries_count"] == 3
    assert value["total_hours"] == 3.5
    assert value["estimated_value_currency"] == "EUR"
    assert len(value["last_7_days"]) == 7


def test_deprecation_headers_and_auth_rules(
    user: User, session: httpx.Client, anonymous: httpx.Client
) -> None:
    for path, successor in (
        (STATS, "/api/v1/productivity/stats"),
        (VALUE, "/api/v1/stats/value-dashboard"),
    ):
        r = session.get(path)
        assert r.status_code == 200
        assert r.headers["X-API-Deprecated"] == "true"
        assert r.headers["Link"] == f'<{successor}>; rel="successor-version"'
        assert r.headers["Deprecation"].startswith("@")
        assert r.headers["Sunset"].endswith("GMT")
        # Legacy dashboard routes take a session only; v1 takes a token only.
        denied = user.api.get(path)
        assert_error(denied, 401, "unauthorized")
        assert denied.headers["X-API-Deprecated"] == "true"
        assert_error(anonymous.get(path), 401, "unauthorized")
        v1 = user.api.get(successor)
        assert v1.status_code == 200, v1.text
        assert "X-API-Deprecated" not in v1.headers
        assert "X-RateLimit-Limit" in v1.headers
        assert_error(anonymous.get(successor), 401, "unauthorized")


def test_v1_scope_and_reports_through_the_gateway(user: User, users: Users) -> None:
    _entry(user, 1.5)
    token, _ = users.token_for(user.id, ["read:time_entries"])
    with httpx.Client(
        base_url=str(user.api.base_url), headers={"Authorization": f"Bearer {token}"}
    ) as c:
        body = assert_error(c.get("/api/v1/reports/summary"), 403, "forbidden")
        assert body["required_scope"] == "read:reports"

    def summary() -> dict[str, Any] | None:
        s: dict[str, Any] = user.api.get("/api/v1/reports/summary").json()["summary"]
        return s if s["total_entries"] == 1 else None

    s = wait_until(summary, timeout=20, what="entry in the report")
    assert s["total_hours"] == 1.5
    bad = user.api.get(
        "/api/v1/reports/summary", params={"start_date": "2026-02-01", "end_date": "2026-01-01"}
    )
    assert_error(bad, 400, "validation_error")
    csv_export = user.api.get("/api/v1/reports/summary/export")
    assert csv_export.status_code == 200
    assert csv_export.text.splitlines()[-1] == ",Total,1.5,1.5,1"
