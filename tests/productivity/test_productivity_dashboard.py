"""The dashboard's session JSON routes and their /api/v1 successors, through the real
gateway with entries made through the time API: hours per local day across DST changes
and in UTC+13 and UTC-10 against hand computations (fixed past dates, read with
``date=``), a running timer, the cache, the forecast's access rules and figures, the
suggestions, deprecation headers and bad parameters."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from prodkit import local_noon, midday_zone

from support.api import User, Users, assert_error, browser_session, wait_until

STATS = "/api/dashboard/stats"
SPARKLINES = "/api/dashboard/sparklines"
SUGGEST = "/api/ai/suggest"
HOUR = timedelta(hours=1)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _project(user: User, name: str, **body: Any) -> int:
    r = user.api.post("/api/v1/projects", json={"name": f"{name} {user.username}", **body})
    assert r.status_code == 201, r.text
    return int(r.json()["project"]["id"])


def _entry(user: User, project_id: int, start: datetime, end: datetime, **body: Any) -> None:
    r = user.api.post(
        "/api/v1/time-entries",
        json={"project_id": project_id, "start_time": _iso(start), "end_time": _iso(end), **body},
    )
    assert r.status_code == 201, r.text


def _session(gateway_url: str, user: User) -> httpx.Client:
    return browser_session(gateway_url, user.username, user.password)


@pytest.fixture
def session(user: User, gateway_url: str) -> Iterator[httpx.Client]:
    client = _session(gateway_url, user)
    yield client
    client.close()


def _poll(client: httpx.Client, path: str, check: Any, what: str, **params: Any) -> httpx.Response:
    """The answer once ``check(body)`` holds (the worker applies entries asynchronously
    and drops the cache after it commits). A forecast is 404 until the project's event
    has reached the read model, and 403 until the caller's first entry on it has (they
    travel on different topics, so either may come first)."""

    def probe() -> httpx.Response | None:
        r = client.get(path, params=params)
        if r.status_code in (403, 404) and path.endswith("/forecast"):
            return None
        assert r.status_code == 200, r.text
        return r if check(r.json()) else None

    return wait_until(probe, timeout=30, what=what)


def _figures(body: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "today_hours",
        "week_hours",
        "month_hours",
        "today_regular_hours",
        "today_overtime_hours",
        "week_regular_hours",
        "week_overtime_hours",
        "overtime_ytd_hours",
        "week_start",
    )
    return {k: body[k] for k in keys}


def test_hours_across_both_dst_changes(users: Users, gateway_url: str) -> None:
    """Europe/Berlin: spring forward on Sunday 2025-03-30 (02:00 -> 03:00), fall back on
    Sunday 2025-10-26 (03:00 -> 02:00). Weekends count as overtime, 8 h a standard day."""
    user = users.create(timezone="Europe/Berlin")
    work = _project(user, "DST")
    # Tue 2025-02-11 09:00-13:00 CET: 4 h, regular.
    _entry(user, work, _utc("2025-02-11T08:00"), _utc("2025-02-11T12:00"))
    # Tue 2025-03-04 09:00-18:00 CET: 9 h, 8 regular + 1 overtime.
    _entry(user, work, _utc("2025-03-04T08:00"), _utc("2025-03-04T17:00"))
    # Wed 2025-03-26 09:00-19:00 CET: 10 h, 8 regular + 2 overtime.
    _entry(user, work, _utc("2025-03-26T08:00"), _utc("2025-03-26T18:00"))
    # Sat 2025-03-29 23:00 CET to Sun 03:30 CEST: 3.5 real hours on Saturday (weekend).
    _entry(user, work, _utc("2025-03-29T22:00"), _utc("2025-03-30T01:30"))
    # Sun 2025-03-30 09:00-12:00 CEST: 3 h on Sunday (weekend).
    _entry(user, work, _utc("2025-03-30T07:00"), _utc("2025-03-30T10:00"))
    # Mon 2025-03-31 08:00-10:00 CEST: 2 h, next week.
    _entry(user, work, _utc("2025-03-31T06:00"), _utc("2025-03-31T08:00"))
    # Sun 2025-10-26 01:30 CEST to 03:30 CET: 3 real hours (2 on the wall clock), weekend.
    _entry(user, work, _utc("2025-10-25T23:30"), _utc("2025-10-26T02:30"))

    with closing(_session(gateway_url, user)) as s:
        spring = _poll(
            s, STATS, lambda b: b["overtime_ytd_hours"] == 9.5, "March entries", date="2025-03-30"
        ).json()
        assert _figures(spring) == {
            "today_hours": 3.0,
            "week_hours": 16.5,  # 10 + 3.5 + 3
            "month_hours": 25.5,  # 9 + 10 + 3.5 + 3
            "today_regular_hours": 0.0,
            "today_overtime_hours": 3.0,
            "week_regular_hours": 8.0,
            "week_overtime_hours": 8.5,  # 2 + 3.5 + 3
            "overtime_ytd_hours": 9.5,  # 1 + 2 + 3.5 + 3
            "week_start": "2025-03-24",
        }
        assert spring["today"] == "2025-03-30"
        assert spring["standard_hours_per_day"] == 8.0
        assert spring["timezone"] == "Europe/Berlin"
        autumn = _poll(
            s,
            STATS,
            lambda b: b["overtime_ytd_hours"] == 12.5,
            "October entry",
            date="2025-10-26",
        ).json()
        assert _figures(autumn) == {
            "today_hours": 3.0,
            "week_hours": 3.0,
            "month_hours": 3.0,
            "today_regular_hours": 0.0,
            "today_overtime_hours": 3.0,
            "week_regular_hours": 0.0,
            "week_overtime_hours": 3.0,
            "overtime_ytd_hours": 12.5,  # 9.5 + 0 (Monday's 2 h) + 3
            "week_start": "2025-10-20",
        }
        spark = s.get(SPARKLINES, params={"date": "2025-03-30"})
        assert spark.status_code == 200, spark.text
        assert spark.json()["today"] == [0.0, 0.0, 10.0, 0.0, 0.0, 3.5, 3.0]
        assert spark.json()["week"] == spark.json()["today"] == spark.json()["month"]
        assert [d["date"] for d in spark.json()["days"]] == [f"2025-03-{d}" for d in range(24, 31)]
        fall = s.get(SPARKLINES, params={"date": "2025-10-26"}).json()
        assert fall["today"] == [0.0] * 6 + [3.0]


def test_hours_in_utc_plus_13_and_minus_10(users: Users, gateway_url: str) -> None:
    """The same three instants fall on different local days in Tonga (UTC+13) and
    Honolulu (UTC-10)."""
    tonga = users.create(timezone="Pacific/Tongatapu")
    honolulu = users.create(timezone="Pacific/Honolulu")
    spans = (
        ("2025-06-11T11:30", "2025-06-11T13:30"),  # 2 h: Tonga Thu 12th, Honolulu Wed 11th
        ("2025-06-11T20:00", "2025-06-12T04:00"),  # 8 h: Tonga Thu 12th, Honolulu Wed 11th
        ("2025-06-12T12:00", "2025-06-12T15:00"),  # 3 h: Tonga Fri 13th, Honolulu Thu 12th
    )
    for user in (tonga, honolulu):
        project = _project(user, "Zones")
        for start, end in spans:
            _entry(user, project, _utc(start), _utc(end))

    with closing(_session(gateway_url, tonga)) as s:
        friday = _poll(
            s, STATS, lambda b: b["month_hours"] == 13.0, "Tonga's entries", date="2025-06-13"
        ).json()
        assert _figures(friday) == {
            "today_hours": 3.0,
            "week_hours": 13.0,
            "month_hours": 13.0,
            "today_regular_hours": 3.0,
            "today_overtime_hours": 0.0,
            "week_regular_hours": 11.0,  # 8 of Thursday's 10, Friday's 3
            "week_overtime_hours": 2.0,
            "overtime_ytd_hours": 2.0,
            "week_start": "2025-06-09",
        }
        assert friday["timezone"] == "Pacific/Tongatapu"
        day = s.get(STATS, params={"date": "2025-06-12"}).json()
        assert (day["today_hours"], day["today_regular_hours"], day["today_overtime_hours"]) == (
            10.0,
            8.0,
            2.0,
        )
        spark = s.get(SPARKLINES, params={"date": "2025-06-13"}).json()
        assert spark["today"] == [0.0, 0.0, 0.0, 0.0, 0.0, 10.0, 3.0]

    with closing(_session(gateway_url, honolulu)) as s:
        thursday = _poll(
            s,
            STATS,
            lambda b: b["month_hours"] == 13.0,
            "Honolulu's entries",
            date="2025-06-12",
        ).json()
        assert _figures(thursday) == {
            "today_hours": 3.0,
            "week_hours": 13.0,
            "month_hours": 13.0,
            "today_regular_hours": 3.0,
            "today_overtime_hours": 0.0,
            "week_regular_hours": 11.0,
            "week_overtime_hours": 2.0,
            "overtime_ytd_hours": 2.0,
            "week_start": "2025-06-09",
        }
        day = s.get(STATS, params={"date": "2025-06-11"}).json()
        assert (day["today_hours"], day["today_overtime_hours"]) == (10.0, 2.0)
        spark = s.get(SPARKLINES, params={"date": "2025-06-13"}).json()
        assert spark["today"] == [0.0, 0.0, 0.0, 0.0, 10.0, 3.0, 0.0]


def test_today_cache_dropped_on_change_and_a_running_timer(users: Users, gateway_url: str) -> None:
    """In a zone where it is about noon: today's hours, served from Redis until an entry
    changes them; a running timer counts up to now and is never cached."""
    zone = midday_zone(datetime.now(UTC))
    user = users.create(timezone=zone)
    noon = local_noon(zone, datetime.now(UTC))
    project = _project(user, "Today")
    _entry(user, project, noon - 3 * HOUR, noon - 2 * HOUR)  # 09:00-10:00 local
    with closing(_session(gateway_url, user)) as s:
        _poll(s, STATS, lambda b: b["today_hours"] == 1.0, "today's entry")
        cached = wait_until(
            lambda: (r := s.get(STATS)).headers["X-Cache"] == "HIT" and r,
            timeout=20,
            what="stats from Redis",
        )
        assert cached.json()["today_hours"] == 1.0
        assert cached.json()["today"] == noon.date().isoformat()
        _entry(user, project, noon - 2 * HOUR, noon - 1.5 * HOUR)  # 10:00-10:30 local
        changed = _poll(s, STATS, lambda b: b["today_hours"] == 1.5, "cache dropped on change")
        assert changed.json()["week_hours"] >= 1.5
        spark = _poll(s, SPARKLINES, lambda b: b["today"][-1] == 1.5, "sparkline of today")
        assert spark.json()["days"][-1] == {"date": noon.date().isoformat(), "hours": 1.5}

        started = datetime.now(UTC)
        r = user.api.post("/api/v1/timer/start", json={"project_id": project})
        assert r.status_code == 201, r.text
        running = _poll(s, STATS, lambda b: b["timer_running"], "the running timer")
        bound = (datetime.now(UTC) - started).total_seconds() + 1
        assert 1.5 <= running.json()["today_hours"] <= round(1.5 + bound / 3600 + 0.005, 2)
        for path in (STATS, SPARKLINES):
            for _ in range(2):
                assert s.get(path).headers["X-Cache"] == "BYPASS"
        stop = user.api.post("/api/v1/timer/stop")
        assert stop.status_code == 200, stop.text
        seconds = stop.json()["time_entry"]["duration_seconds"]
        expected = round((5400 + seconds) / 3600, 2)
        stopped = _poll(
            s,
            STATS,
            lambda b: not b["timer_running"] and b["today_hours"] == expected,
            "stopped timer counted",
        )
        assert stopped.headers["X-Cache"] in ("MISS", "HIT")


def _hours_ago(hours: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(hours=hours)


def test_forecast_figures_access_and_cache(
    user: User, users: Users, session: httpx.Client, admin_user: User
) -> None:
    project = _project(user, "Forecast", hourly_rate=50, estimated_hours=20, budget_amount=2000)
    # 2 h three days ago and 4 h ten days ago (in the 4-week window), 6 h forty days ago.
    _entry(user, project, _hours_ago(72), _hours_ago(70))
    _entry(user, project, _hours_ago(240), _hours_ago(236))
    _entry(user, project, _hours_ago(960), _hours_ago(954))
    path = f"/api/projects/{project}/forecast"
    body = _poll(
        session,
        path,
        lambda b: b["forecast"]["total_logged_hours"] == 12.0,
        "the project's entries",
        refresh="true",
    ).json()
    assert body["ok"] is True
    assert body["ai_enabled"] is False
    assert body["project_id"] == project
    f = body["forecast"]
    assert f["total_logged_hours"] == 12.0
    assert f["cost_so_far"] == 600.0  # 12 h x 50
    assert f["hourly_rate"] == 50.0
    assert f["hours_last_4_weeks"] == 6.0
    assert f["cost_last_4_weeks"] == 300.0
    assert f["burn_rate_hours_per_week"] == 1.5  # 6 h / 4 weeks
    assert f["burn_rate_hours_per_day"] == 0.21  # 6 h / 28 days
    assert f["burn_rate_cost_per_week"] == 75.0
    assert f["budget_threshold_percent"] == 80
    assert f["has_data"] is True
    assert f["currency"] == "EUR"
    # Against the estimate (20 h) and the budget (2000) the read model now carries.
    assert f["estimated_hours"] == 20.0
    assert f["hours_remaining"] == 8.0
    assert f["estimate_used_percent"] == 60.0
    assert f["days_to_completion"] == 38  # 8 h at 6/28 h a day: 37.3 days
    today = date.fromisoformat(f["today"])
    assert f["projected_completion_date"] == (today + timedelta(days=38)).isoformat()
    assert f["budget_amount"] == 2000.0
    assert f["budget_used_percent"] == 30.0
    assert f["budget_remaining"] == 1400.0
    assert f["budget_threshold_exceeded"] is False
    assert f["projected_cost_at_completion"] == 1000.0  # 600 + 8 h x 50
    assert f["projected_budget_used_percent"] == 50.0
    assert f["projected_threshold_exceeded"] is False
    assert f["days_to_budget_exhausted"] == 131  # 1400 at 300/28 a day: 130.7 days

    # Cached per project: served from Redis, whoever asks.
    again = wait_until(
        lambda: (r := session.get(path)).headers["X-Cache"] == "HIT" and r,
        timeout=20,
        what="the forecast from Redis",
    )
    assert again.json()["forecast"]["total_logged_hours"] == 12.0
    v1 = admin_user.api.get(f"/api/v1/projects/{project}/forecast")
    assert v1.status_code == 200, v1.text
    assert v1.json()["forecast"]["total_logged_hours"] == 12.0

    # A new entry shows once the cache is dropped with refresh=true.
    _entry(user, project, _hours_ago(30), _hours_ago(29))
    refreshed = _poll(
        session,
        path,
        lambda b: b["forecast"]["total_logged_hours"] == 13.0,
        "refreshed forecast",
        refresh="true",
    )
    assert refreshed.headers["X-Cache"] == "MISS"
    assert refreshed.json()["forecast"]["hours_last_4_weeks"] == 7.0

    # Another user's project: 403; an unknown one: 404.
    stranger = users.create()
    denied = stranger.api.get(f"/api/v1/projects/{project}/forecast")
    assert_error(denied, 403, "forbidden")
    assert_error(stranger.api.get("/api/v1/projects/987654321987/forecast"), 404, "not_found")
    assert_error(admin_user.api.get("/api/v1/projects/987654321987/forecast"), 404, "not_found")


def test_suggestions_follow_weekday_and_hour(users: Users, gateway_url: str) -> None:
    zone = ZoneInfo("Pacific/Tongatapu")  # UTC+13 all year: no DST in the window
    user = users.create(timezone="Pacific/Tongatapu")
    local = datetime.now(zone)
    hour = local.hour

    def at(days_back: int, local_hour: int) -> datetime:
        day = (local - timedelta(days=days_back)).date()
        return datetime.combine(day, time(local_hour % 24), zone)

    alpha = _project(user, "Alpha")
    beta = _project(user, "Beta")
    gamma = _project(user, "Gamma")
    # Alpha: the same weekday and hour a week and two weeks ago (1 + 1 + 2 each).
    _entry(user, alpha, at(14, hour), at(14, hour) + HOUR, notes="first draft")
    _entry(user, alpha, at(7, hour), at(7, hour) + HOUR, notes="design review")
    # Beta: three other weekdays, six hours away (1 each); the newest without notes.
    _entry(user, beta, at(5, hour + 6), at(5, hour + 6) + HOUR, notes="old notes")
    _entry(user, beta, at(4, hour + 6), at(4, hour + 6) + HOUR, notes="api work")
    _entry(user, beta, at(3, hour + 6), at(3, hour + 6) + HOUR, notes="")
    # Gamma: yesterday, twelve hours away (1).
    _entry(user, gamma, at(1, hour + 12), at(1, hour + 12) + HOUR)

    with closing(_session(gateway_url, user)) as s:
        body = _poll(
            s, SUGGEST, lambda b: len(b["suggestions"]) == 3, "three suggested pairs"
        ).json()
        assert body["ok"] is True
        assert body["model_called"] is False
        assert body["ai_enabled"] is False
        assert body["source"] == "deterministic"
        assert "no AI model" in body["message"]
        items = body["suggestions"]
        assert [i["project_id"] for i in items] == [alpha, beta, gamma]
        # Alpha's entries share the weekday unless the day turned between setup and ask.
        same_weekday = body["based_on"]["weekday"] == at(7, hour).strftime("%A")
        assert [i["score"] for i in items] == [8 if same_weekday else 6, 3, 1]
        assert [i["uses"] for i in items] == [2, 3, 1]
        # 8 of 12 (or 6 of 10): medium; 3 and 1: low.
        assert [i["confidence"] for i in items] == ["medium", "low", "low"]
        assert all(i["source"] == "deterministic" and i["task_id"] is None for i in items)
        assert items[0]["project_name"].startswith("Alpha")
        assert items[0]["last_used_at"] == _iso(at(7, hour))
        # Each pair's newest entry's notes (Beta's newest has none), as TimeTracker.
        assert [i["notes"] for i in items] == ["design review", "", ""]

        only_beta = s.get(SUGGEST, params={"q": "BETA"}).json()["suggestions"]
        assert [i["project_id"] for i in only_beta] == [beta]
        assert s.get(SUGGEST, params={"q": "no such name"}).json()["suggestions"] == []
        assert len(s.get(SUGGEST, params={"limit": 2}).json()["suggestions"]) == 2
    v1 = user.api.get("/api/v1/ai/suggest")
    assert v1.status_code == 200, v1.text
    assert [i["project_id"] for i in v1.json()["suggestions"]] == [alpha, beta, gamma]


def test_deprecation_headers_and_auth_rules(
    user: User, users: Users, session: httpx.Client, anonymous: httpx.Client
) -> None:
    project = _project(user, "Headers")
    _entry(user, project, _hours_ago(5), _hours_ago(4))
    _poll(session, STATS, lambda b: b["week_hours"] >= 0, "stats answer")
    _poll(
        session,
        f"/api/projects/{project}/forecast",
        lambda b: b["forecast"]["total_logged_hours"] == 1.0,
        "the entry in the forecast",
        refresh="true",
    )
    for path, successor in (
        (STATS, "/api/v1/dashboard/stats"),
        (SPARKLINES, "/api/v1/dashboard/sparklines"),
        (SUGGEST, "/api/v1/ai/suggest"),
        (f"/api/projects/{project}/forecast", f"/api/v1/projects/{project}/forecast"),
    ):
        r = session.get(path)
        assert r.status_code == 200, (path, r.text)
        assert r.headers["X-API-Deprecated"] == "true"
        assert r.headers["Link"] == f'<{successor}>; rel="successor-version"'
        assert r.headers["Deprecation"] == "@1767225600"
        assert r.headers["Sunset"] == "Fri, 31 Dec 2027 23:59:59 GMT"
        # Legacy routes take a session only; v1 a token only, with read:reports.
        denied = user.api.get(path)
        assert_error(denied, 401, "unauthorized")
        assert denied.headers["X-API-Deprecated"] == "true"
        assert_error(anonymous.get(path), 401, "unauthorized")
        v1 = user.api.get(successor)
        assert v1.status_code == 200, (successor, v1.text)
        assert "X-API-Deprecated" not in v1.headers
        assert "X-RateLimit-Limit" in v1.headers
        assert_error(session.get(successor), 401, "unauthorized")
    token, _ = users.token_for(user.id, ["read:time_entries", "read:projects"])
    with httpx.Client(
        base_url=str(user.api.base_url), headers={"Authorization": f"Bearer {token}"}
    ) as narrow:
        for successor in ("/api/v1/dashboard/stats", f"/api/v1/projects/{project}/forecast"):
            body = assert_error(narrow.get(successor), 403, "forbidden")
            assert body["required_scope"] == "read:reports"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        (STATS, {"date": "2026-02-30"}, "date"),
        (STATS, {"date": "20260301"}, "date"),
        (STATS, {"date": "2999-01-01"}, "date"),
        (SPARKLINES, {"date": "0001-01-02"}, "date"),
        (SPARKLINES, {"date": "yesterday"}, "date"),
        ("/api/projects/1/forecast", {"refresh": "maybe"}, "refresh"),
        (SUGGEST, {"limit": "0"}, "limit"),
        (SUGGEST, {"limit": "many"}, "limit"),
        (SUGGEST, {"q": "x" * 201}, "q"),
    ],
)
def test_bad_parameters_are_400(
    session: httpx.Client, path: str, params: dict[str, str], field: str
) -> None:
    body = assert_error(session.get(path, params=params), 400, "validation_error")
    assert field in body["errors"], body


@pytest.mark.parametrize("project", ["abc", "0", "-1"])
def test_a_project_id_that_cannot_be_one_is_404(session: httpx.Client, project: str) -> None:
    """As every id route of tt (and the reference server's int routes): no such resource."""
    assert_error(session.get(f"/api/projects/{project}/forecast"), 404, "not_found")
