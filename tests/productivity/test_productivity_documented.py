"""Every productivity answer is what the merged OpenAPI document says it is, with real
figures in it: a running timer, a priced project with an estimate and a budget, a
suggestion, a report, and the error answers. A fresh user's answers (what a fuzzer
sees) leave most fields null or empty, so the schemas are checked here with data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prodkit import (
    Direct,
    client_state,
    entry_state,
    event,
    local_noon,
    midday_zone,
    new_id,
    project_state,
    user_state,
)

from support.documented import assert_documented

HOUR = timedelta(hours=1)
# Each /api/v1 route and its legacy session twin share a document entry's shape.
ROUTES = (
    ("/api/v1/productivity/stats", "/api/productivity/stats"),
    ("/api/v1/stats/value-dashboard", "/api/stats/value-dashboard"),
    ("/api/v1/dashboard/stats", "/api/dashboard/stats"),
    ("/api/v1/dashboard/sparklines", "/api/dashboard/sparklines"),
    ("/api/v1/ai/suggest", "/api/ai/suggest"),
)
FORECAST = "/api/v1/projects/{project_id}/forecast"
LEGACY_FORECAST = "/api/projects/{project_id}/forecast"


def _tracked_user(direct: Direct) -> tuple[int, int]:
    """A user with completed entries on a priced project (one billable, one not, one
    without a project) and a timer running on it; returns (user id, project id)."""
    now = datetime.now(UTC)
    zone = midday_zone(now)
    noon = local_noon(zone, now)
    uid, cid, pid = new_id(), new_id(), new_id()
    done, unbilled, loose, timer = new_id(), new_id(), new_id(), new_id()
    on_project = {"project_id": pid, "project": "Website", "client_id": cid, "client": "Acme"}
    direct.publish(
        event("user", "created", uid, 1, user_state(uid, zone, default_hourly_rate=60)),
        event("client", "created", cid, 1, client_state(cid, "Acme", default_hourly_rate=80)),
        event(
            "project",
            "created",
            pid,
            1,
            project_state(
                pid,
                "Website",
                client_id=cid,
                hourly_rate=95.5,
                estimated_hours=40,
                budget_amount=3000,
            ),
        ),
        event(
            "time_entry",
            "created",
            done,
            1,
            entry_state(done, uid, noon - 4 * HOUR, noon - 2 * HOUR, tags="ux", **on_project),
        ),
        event(
            "time_entry",
            "created",
            unbilled,
            1,
            entry_state(
                unbilled, uid, noon - 27 * HOUR, noon - 25 * HOUR, billable=False, **on_project
            ),
        ),
        event(
            "time_entry",
            "created",
            loose,
            1,
            entry_state(loose, uid, noon - 50 * HOUR, noon - 49 * HOUR),
        ),
        event(
            "time_entry",
            "timer_started",
            timer,
            1,
            entry_state(timer, uid, now - HOUR, None, **on_project),
        ),
    )
    direct.wait_stats(
        uid,
        lambda s: s["summary"]["active_timer"] is not None and s["focus"]["sessions"] == 3,
        "the entries and the running timer in the stats",
    )
    return uid, pid


def test_answers_with_figures_match_the_document(direct: Direct) -> None:
    uid, pid = _tracked_user(direct)
    stats = assert_documented("GET", "/api/v1/productivity/stats", direct.get(ROUTES[0][0], uid))
    assert stats["summary"]["active_timer"]["duration_seconds"] > 0
    assert stats["summary"]["top_project_week"]["name"] == "Website"
    for v1, legacy in ROUTES:
        assert_documented("GET", v1, direct.get(v1, uid))
        assert_documented("GET", legacy, direct.get(legacy, uid, method="session"))
    suggestions = assert_documented("GET", "/api/v1/ai/suggest", direct.get(ROUTES[4][0], uid))
    assert suggestions["suggestions"][0]["project_id"] == pid
    value = assert_documented("GET", ROUTES[1][0], direct.get(ROUTES[1][0], uid))
    assert value["estimated_value_tracked"] is not None

    path = FORECAST.format(project_id=pid)
    forecast = assert_documented("GET", FORECAST, direct.get(path, uid))["forecast"]
    assert forecast["budget_amount"] == 3000.0
    assert forecast["days_to_completion"] is not None
    legacy = direct.get(LEGACY_FORECAST.format(project_id=pid), uid, method="session")
    assert_documented("GET", LEGACY_FORECAST, legacy)

    report = direct.get("/api/v1/reports/summary", uid)
    assert assert_documented("GET", "/api/v1/reports/summary", report)["summary"]["by_project"]
    as_csv = direct.get("/api/v1/reports/summary", uid, params={"format": "csv"})
    assert_documented("GET", "/api/v1/reports/summary", as_csv)
    export = direct.get("/api/v1/reports/summary/export", uid)
    assert_documented("GET", "/api/v1/reports/summary/export", export)

    page = direct.get("/dashboard/productivity", uid, method="session")
    assert page.status_code == 200
    assert_documented("GET", "/dashboard/productivity", page)


def test_error_answers_match_the_document(direct: Direct) -> None:
    uid, pid = _tracked_user(direct)
    stranger = new_id()
    cases = (
        # (document path, url, caller, auth method, query, status)
        ("/api/v1/productivity/stats", ROUTES[0][0], uid, "token", {"period": "abc"}, 400),
        ("/api/v1/dashboard/stats", ROUTES[2][0], uid, "token", {"date": "tomorrow"}, 400),
        ("/api/dashboard/sparklines", ROUTES[3][1], uid, "session", {"date": "2999-01-01"}, 400),
        ("/api/v1/ai/suggest", ROUTES[4][0], uid, "token", {"limit": "21"}, 400),
        ("/api/v1/stats/value-dashboard", ROUTES[1][0], uid, "session", None, 401),
        ("/api/stats/value-dashboard", ROUTES[1][1], uid, "token", None, 401),
        (FORECAST, FORECAST.format(project_id=pid), stranger, "token", None, 403),
        (FORECAST, FORECAST.format(project_id=new_id()), uid, "token", None, 404),
        (FORECAST, FORECAST.format(project_id=0), uid, "token", None, 404),
        (FORECAST, FORECAST.format(project_id=pid), uid, "token", {"refresh": "maybe"}, 400),
        (
            "/api/v1/reports/summary",
            "/api/v1/reports/summary",
            uid,
            "token",
            {"user_id": stranger},
            403,
        ),
        (
            "/api/v1/reports/summary/export",
            "/api/v1/reports/summary/export",
            uid,
            "token",
            {"start_date": "2026-02-30"},
            400,
        ),
        ("/dashboard/productivity", "/dashboard/productivity", uid, "token", None, 401),
    )
    for template, url, caller, method, params, status in cases:
        r = direct.get(url, caller, method=method, params=params)
        assert r.status_code == status, (url, params, r.text)
        body = assert_documented("GET", template, r)
        assert body["error_code"], (url, body)
