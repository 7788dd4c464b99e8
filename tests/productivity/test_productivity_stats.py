"""Stats computed from consumed events, straight against the service (minted identity)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prodkit import (
    Direct,
    entry_state,
    event,
    local_noon,
    midday_zone,
    new_id,
    project_state,
    user_state,
    wait_cached,
)

from support.api import assert_error

HOUR = timedelta(hours=1)


def _user(direct: Direct, timezone: str) -> int:
    uid = new_id()
    direct.publish(event("user", "created", uid, 1, user_state(uid, timezone)))
    return uid


def test_stats_follow_entries_streaks_heatmap_and_projects(direct: Direct) -> None:
    now = datetime.now(UTC)
    zone = midday_zone(now)
    noon = local_noon(zone, now)
    uid = _user(direct, zone)
    pid = new_id()
    e1, e2, e3 = new_id(), new_id(), new_id()
    direct.publish(
        event("project", "created", pid, 1, project_state(pid, "Website")),
        event(
            "time_entry",
            "created",
            e1,
            1,
            entry_state(e1, uid, noon - 3 * HOUR, noon - HOUR, project_id=pid, project="Website"),
        ),
        event(
            "time_entry",
            "created",
            e2,
            1,
            entry_state(e2, uid, noon - 26 * HOUR, noon - 25 * HOUR, billable=False),
        ),
        event(
            "time_entry",
            "created",
            e3,
            1,
            entry_state(e3, uid, noon - 72 * HOUR, noon - 71.5 * HOUR, project_id=pid),
        ),
    )
    stats = direct.wait_stats(
        uid, lambda s: s["focus"]["sessions"] == 3, "three entries in the stats"
    )
    assert stats["timezone"] == zone
    assert stats["timezone_warning"] is None
    assert stats["summary"]["today_hours"] == 2.0
    assert stats["summary"]["active_timer"] is None
    assert stats["streak"]["current_streak"] == 2
    assert stats["streak"]["longest_streak"] == 2
    today = noon.date()
    assert [d["date"] for d in stats["daily_breakdown"]][-1] == today.isoformat()
    assert len(stats["daily_breakdown"]) == 14
    heat = stats["heatmap"]
    assert len(heat) == 84
    assert heat[-1]["date"] == today.isoformat()
    assert sum(c["seconds"] for c in heat) == int(3.5 * 3600)
    assert heat[-1]["level"] == 2
    assert heat[-2]["level"] == 1
    assert stats["projects"][0]["name"] == "Website"
    assert stats["projects"][0]["hours"] == 2.5
    assert stats["projects"][0]["entry_count"] == 2
    assert stats["focus"]["longest_session_hours"] == 2.0
    assert stats["focus"]["deep_work_sessions"] == 2
    assert stats["focus"]["deep_work_share"] == round(3 / 3.5, 3)


def test_versions_are_respected_and_deletes_remove_time(direct: Direct) -> None:
    now = datetime.now(UTC)
    zone = midday_zone(now)
    noon = local_noon(zone, now)
    uid = _user(direct, zone)
    eid = new_id()
    v2 = entry_state(eid, uid, noon - 4 * HOUR, noon - HOUR)  # 3 h
    v1 = entry_state(eid, uid, noon - 2 * HOUR, noon - HOUR)  # 1 h, older
    direct.publish(
        event("time_entry", "created", eid, 2, v2), event("time_entry", "updated", eid, 1, v1)
    )
    direct.wait_stats(uid, lambda s: s["summary"]["today_hours"] == 3.0, "version 2 applied")
    other = new_id()
    direct.publish(
        event("time_entry", "created", other, 1, entry_state(other, uid, noon - HOUR, noon)),
        event("time_entry", "deleted", eid, 3, v2),
    )
    stats = direct.wait_stats(
        uid, lambda s: s["summary"]["today_hours"] == 1.0, "deleted entry gone"
    )
    assert stats["focus"]["sessions"] == 1


def test_cached_until_entries_change_and_never_while_a_timer_runs(direct: Direct) -> None:
    now = datetime.now(UTC)
    zone = midday_zone(now)
    noon = local_noon(zone, now)
    uid = _user(direct, zone)
    eid = new_id()
    direct.publish(event("time_entry", "created", eid, 1, entry_state(eid, uid, noon - HOUR, noon)))
    direct.wait_stats(uid, lambda s: s["summary"]["today_hours"] == 1.0, "entry applied")

    cached = wait_cached(direct, "/api/v1/productivity/stats", uid)
    again = direct.get("/api/v1/productivity/stats", uid)
    assert again.headers["X-Cache"] == "HIT"
    assert again.json() == cached.json()  # the same payload, generated_at included

    timer = new_id()
    direct.publish(
        event("time_entry", "timer_started", timer, 1, entry_state(timer, uid, now - HOUR, None))
    )
    running = direct.wait_stats(
        uid, lambda s: s["summary"]["active_timer"] is not None, "timer seen (cache dropped)"
    )
    assert running["summary"]["active_timer"]["id"] == timer
    for _ in range(2):
        assert direct.get("/api/v1/productivity/stats", uid).headers["X-Cache"] == "BYPASS"


def test_unknown_timezone_falls_back_to_utc_and_says_so(direct: Direct) -> None:
    uid = _user(direct, "Mars/Olympus_Mons")
    eid = new_id()
    start = datetime.now(UTC) - timedelta(days=2)
    direct.publish(
        event("time_entry", "created", eid, 1, entry_state(eid, uid, start, start + HOUR))
    )
    stats = direct.wait_stats(uid, lambda s: s["focus"]["sessions"] == 1, "entry applied")
    assert stats["timezone"] == "UTC"
    assert "Mars/Olympus_Mons" in stats["timezone_warning"]
    value = direct.value(uid)
    assert value["timezone"] == "UTC"
    assert "Mars/Olympus_Mons" in value["timezone_warning"]


def test_route_authentication_and_scopes(direct: Direct) -> None:
    uid = new_id()
    assert_error(direct.http.get("/api/v1/productivity/stats"), 401, "unauthorized")
    assert_error(direct.get("/api/productivity/stats", uid, method="token"), 401, "unauthorized")
    assert_error(direct.get("/api/stats/value-dashboard", uid, method="token"), 401, "unauthorized")
    assert_error(
        direct.get("/api/v1/productivity/stats", uid, method="session"), 401, "unauthorized"
    )
    body = assert_error(
        direct.get("/api/v1/stats/value-dashboard", uid, scopes=["read:projects"]), 403, "forbidden"
    )
    assert body["required_scope"] == "read:reports"
    assert body["available_scopes"] == ["read:projects"]
    assert direct.get("/api/productivity/stats", uid, method="session").status_code == 200
    assert direct.get("/api/stats/value-dashboard", uid, method="session").status_code == 200


def test_period_is_validated_and_clamped(direct: Direct) -> None:
    uid = new_id()
    body = assert_error(
        direct.get("/api/v1/productivity/stats", uid, params={"period": "soon"}),
        400,
        "validation_error",
    )
    assert "period" in body["errors"]
    assert direct.stats(uid, period=1000)["period"] == 90
    assert direct.stats(uid, period=0)["period"] == 1
    assert direct.stats(uid)["period"] == 30


def test_new_user_gets_empty_stats(direct: Direct) -> None:
    uid = new_id()
    stats = direct.stats(uid)
    assert stats["streak"] == {
        "current_streak": 0,
        "longest_streak": 0,
        "tracked_days_this_month": 0,
        "total_days_this_month": stats["streak"]["total_days_this_month"],
    }
    assert stats["projects"] == []
    assert stats["insights"] == []
    assert len(stats["heatmap"]) == 84
    assert all(c["level"] == 0 for c in stats["heatmap"])
    value = direct.value(uid)
    assert value["total_hours"] == 0
    assert value["estimated_value_tracked"] is None
    assert value["most_productive_day"] is None
    assert len(value["last_7_days"]) == 7
