"""The value dashboard: every field of seed 001, and the three-level rate fallback."""

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
    wait_cached,
)

HOUR = timedelta(hours=1)


def _setup(direct: Direct) -> tuple[int, datetime, str]:
    now = datetime.now(UTC)
    zone = midday_zone(now)
    uid = new_id()
    direct.publish(event("user", "created", uid, 1, user_state(uid, zone)))
    return uid, local_noon(zone, now), zone


def _entry(uid: int, start: datetime, hours: float, **extra: object) -> tuple[int, object]:
    eid = new_id()
    return eid, event(
        "time_entry", "created", eid, 1, entry_state(eid, uid, start, start + hours * HOUR, **extra)
    )


def test_rate_comes_from_the_project_first(direct: Direct) -> None:
    uid, noon, _ = _setup(direct)
    cid, pid = new_id(), new_id()
    entry_client = new_id()
    _, e = _entry(uid, noon - 3 * HOUR, 2, project_id=pid, client_id=entry_client)
    direct.publish(
        event("client", "created", cid, 1, client_state(cid, "Acme", default_hourly_rate=50)),
        event(
            "client",
            "created",
            entry_client,
            1,
            client_state(entry_client, "Direct", default_hourly_rate=70),
        ),
        event(
            "project", "created", pid, 1, project_state(pid, "Site", client_id=cid, hourly_rate=100)
        ),
        e,
    )
    # Topics are consumed independently: wait for the rate, not just the entry.
    value = direct.wait_value(
        uid, lambda v: v["estimated_value_tracked"] == 200.0, "2 h at the project's 100"
    )
    assert value["entries_count"] == 1
    assert value["estimated_value_currency"] == "EUR"


def test_rate_falls_back_to_the_entry_client_then_the_project_client(direct: Direct) -> None:
    uid, noon, _ = _setup(direct)
    project_client, entry_client, pid = new_id(), new_id(), new_id()
    direct.publish(
        event(
            "client",
            "created",
            project_client,
            1,
            client_state(project_client, "Acme", default_hourly_rate=40),
        ),
        event(
            "client",
            "created",
            entry_client,
            1,
            client_state(entry_client, "Direct", default_hourly_rate=60.5),
        ),
        event(
            "project", "created", pid, 1, project_state(pid, "No rate", client_id=project_client)
        ),
    )
    _, with_entry_client = _entry(uid, noon - 4 * HOUR, 1, project_id=pid, client_id=entry_client)
    _, project_client_only = _entry(uid, noon - 2 * HOUR, 2, project_id=pid)
    direct.publish(with_entry_client, project_client_only)
    # 1 h at the entry's client's 60.50, then 2 h at the project's client's 40.
    value = direct.wait_value(
        uid, lambda v: v["estimated_value_tracked"] == 140.5, "entry client, then project client"
    )
    assert value["entries_count"] == 2


def test_no_rate_means_null_value_and_rate_changes_drop_the_cache(direct: Direct) -> None:
    uid, noon, _ = _setup(direct)
    pid = new_id()
    direct.publish(event("project", "created", pid, 1, project_state(pid, "Internal")))
    _, e = _entry(uid, noon - 2 * HOUR, 1.5, project_id=pid)
    direct.publish(e)
    value = direct.wait_value(uid, lambda v: v["entries_count"] == 1, "entry counted")
    assert value["estimated_value_tracked"] is None
    wait_cached(direct, "/api/v1/stats/value-dashboard", uid)
    direct.publish(
        event("project", "updated", pid, 2, project_state(pid, "Internal", hourly_rate=80))
    )
    value = direct.wait_value(
        uid, lambda v: v["estimated_value_tracked"] == 120.0, "new project rate applied"
    )


def test_every_field_in_the_users_days(direct: Direct) -> None:
    uid, noon, zone = _setup(direct)
    today = noon.date()
    events = []
    # Today 2 h and 1.5 h, two days ago 3 h, 20 days ago 0.5 h: today is the busiest weekday
    # whatever the date (20 days ago is another weekday than today and two days ago).
    for start, hours in (
        (noon - 4 * HOUR, 2),
        (noon - 1.5 * HOUR, 1.5),
        (noon - 48 * HOUR, 3),
        (noon - 20 * 24 * HOUR, 0.5),
    ):
        events.append(_entry(uid, start, hours)[1])
    running = new_id()
    events.append(
        event("time_entry", "timer_started", running, 1, entry_state(running, uid, noon, None))
    )
    direct.publish(*events)
    value = direct.wait_value(uid, lambda v: v["entries_count"] == 4, "entries counted")
    assert value["total_hours"] == 7.0
    assert value["active_days"] == 3
    assert value["avg_session_length"] == round(7.0 / 4, 2)
    assert value["most_productive_day"] == today.strftime("%A")
    assert [d["date"] for d in value["last_7_days"]] == [
        (today - timedelta(days=6 - i)).isoformat() for i in range(7)
    ]
    assert value["last_7_days"][-1]["hours"] == 3.5
    assert value["last_7_days"][-3]["hours"] == 3.0
    assert value["last_7_days"][-2]["hours"] == 0.0
    week_start = today - timedelta(days=today.weekday())
    expected_week = 3.5 + (3.0 if today - timedelta(days=2) >= week_start else 0.0)
    assert value["this_week_hours"] == expected_week
    month_days = [today, today - timedelta(days=2), today - timedelta(days=20)]
    expected_month = sum(
        h for d, h in zip(month_days, (3.5, 3.0, 0.5), strict=True) if d.month == today.month
    )
    assert value["this_month_hours"] == expected_month
    assert value["timezone"] == zone


def test_a_tie_goes_to_the_weekday_tracked_most_recently(direct: Direct) -> None:
    uid, noon, _ = _setup(direct)
    today = noon.date()
    # 3 h today and 3 h two days ago tie; today is the more recent weekday.
    direct.publish(_entry(uid, noon - 4 * HOUR, 3)[1], _entry(uid, noon - 50 * HOUR, 3)[1])
    value = direct.wait_value(uid, lambda v: v["entries_count"] == 2, "entries counted")
    assert value["total_hours"] == 6.0
    assert value["most_productive_day"] == today.strftime("%A")
