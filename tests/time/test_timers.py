"""Timers through the gateway: v1 status/start/pause/resume/stop with the reference
server's shapes and error codes, and the legacy session routes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from timekit import ENTRY_KEYS, booking, create_entry, create_project, ok

from support.api import User, Users, assert_error, wait_until


def test_timer_cycle(user: User) -> None:
    b = booking(user.api)
    assert ok(user.api.get("/api/v1/timer/status")) == {"active": False, "timer": None}

    started = ok(
        user.api.post(
            "/api/v1/timer/start",
            json={"project_id": b.project["id"], "task_id": b.task["id"], "notes": "focus"},
        ),
        201,
    )
    assert set(started) == {"message", "timer"}
    timer = started["timer"]
    assert set(timer) >= ENTRY_KEYS
    assert timer["is_active"] is True
    assert timer["end_time"] is None
    assert timer["project"] == b.project["name"]
    assert timer["task"] == b.task["name"]
    assert timer["source"] == "auto"
    assert timer["notes"] == "focus"
    assert timer["duration_seconds"] is None
    assert timer["paused_at"] is None

    again = user.api.post("/api/v1/timer/start", json={"project_id": b.project["id"]})
    assert_error(again, 409, "timer_already_running")

    status = ok(user.api.get("/api/v1/timer/status"))
    assert status["active"] is True
    assert status["timer"]["id"] == timer["id"]

    # Body-less POSTs, even with a JSON Content-Type, as the mobile app sends them.
    json_type = {"Content-Type": "application/json"}
    paused = ok(user.api.post("/api/v1/timer/pause", headers=json_type))
    assert set(paused) == {"message", "time_entry"}
    assert paused["time_entry"]["paused_at"] is not None
    assert paused["time_entry"]["is_active"] is True
    assert_error(user.api.post("/api/v1/timer/pause"), 400, "invalid_state")
    still = ok(user.api.get("/api/v1/timer/status"))
    assert still["active"] is True
    assert still["timer"]["paused_at"] == paused["time_entry"]["paused_at"]

    resumed = ok(user.api.post("/api/v1/timer/resume", headers=json_type))["time_entry"]
    assert resumed["paused_at"] is None
    assert resumed["break_seconds"] >= 0
    assert_error(user.api.post("/api/v1/timer/resume"), 400, "no_paused_timer")

    stopped = ok(user.api.post("/api/v1/timer/stop", headers=json_type))
    assert set(stopped) == {"message", "time_entry"}
    entry = stopped["time_entry"]
    assert entry["id"] == timer["id"]
    assert entry["is_active"] is False
    assert entry["end_time"] is not None
    assert isinstance(entry["duration_seconds"], int)
    assert entry["duration_formatted"].count(":") == 2

    assert ok(user.api.get("/api/v1/timer/status")) == {"active": False, "timer": None}
    for action, code in (
        ("stop", "no_active_timer"),
        ("pause", "no_active_timer"),
        ("resume", "no_paused_timer"),
    ):
        assert_error(user.api.post(f"/api/v1/timer/{action}"), 400, code)


def test_paused_time_is_a_break_not_work(user: User) -> None:
    """The clock stops while paused: the paused span becomes ``break_seconds`` and the
    worked duration leaves it out (the wait is the thing under test: time passing)."""
    project = create_project(user.api)
    hour_ago = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
    running = create_entry(user.api, project["id"], hour_ago.isoformat(), None)
    paused = ok(user.api.post("/api/v1/timer/pause"))["time_entry"]
    frozen = paused["duration_formatted"]
    paused_at = datetime.fromisoformat(paused["paused_at"].replace("Z", "+00:00"))
    wait_until(lambda: datetime.now(UTC) >= paused_at + timedelta(seconds=2.2), timeout=5)
    assert ok(user.api.get("/api/v1/timer/status"))["timer"]["duration_formatted"] == frozen
    resumed = ok(user.api.post("/api/v1/timer/resume"))["time_entry"]
    assert resumed["break_seconds"] >= 2
    stopped = ok(user.api.post("/api/v1/timer/stop"))["time_entry"]
    assert stopped["id"] == running["id"]
    end = datetime.fromisoformat(stopped["end_time"].replace("Z", "+00:00"))
    elapsed = int((end - hour_ago).total_seconds())
    assert stopped["break_seconds"] == resumed["break_seconds"]
    assert stopped["duration_seconds"] == elapsed - stopped["break_seconds"]


def test_stopping_a_paused_timer_counts_the_pause_as_break(user: User) -> None:
    project = create_project(user.api)
    start = (datetime.now(UTC) - timedelta(minutes=10)).replace(microsecond=0)
    create_entry(user.api, project["id"], start.isoformat(), None)
    paused = ok(user.api.post("/api/v1/timer/pause"))["time_entry"]
    paused_at = datetime.fromisoformat(paused["paused_at"].replace("Z", "+00:00"))
    stopped = ok(user.api.post("/api/v1/timer/stop"))["time_entry"]
    end = datetime.fromisoformat(stopped["end_time"].replace("Z", "+00:00"))
    assert stopped["paused_at"] is None
    assert stopped["break_seconds"] == int((end - paused_at).total_seconds())
    assert stopped["duration_seconds"] == int((paused_at - start).total_seconds())


def test_start_errors(user: User) -> None:
    b = booking(user.api)
    missing = assert_error(user.api.post("/api/v1/timer/start", json={}), 400, "validation_error")
    assert "project_id" in missing["errors"]
    assert (
        "project_id"
        in assert_error(
            user.api.post("/api/v1/timer/start", json={"project_id": 999_999_999}),
            400,
            "validation_error",
        )["errors"]
    )
    other = booking(user.api)
    wrong_task = user.api.post(
        "/api/v1/timer/start", json={"project_id": b.project["id"], "task_id": other.task["id"]}
    )
    assert "task_id" in assert_error(wrong_task, 400, "validation_error")["errors"]
    # The desktop app sends project_id as a string from a <select>.
    started = ok(
        user.api.post("/api/v1/timer/start", json={"project_id": str(b.project["id"])}), 201
    )
    assert started["timer"]["project_id"] == b.project["id"]
    ok(user.api.post("/api/v1/timer/stop"))


def test_timer_scopes(users: Users) -> None:
    reader = users.create(scopes=["read:time_entries"])
    ok(reader.api.get("/api/v1/timer/status"))
    denied = assert_error(
        reader.api.post("/api/v1/timer/start", json={"project_id": 1}), 403, "forbidden"
    )
    assert denied["required_scope"] == "write:time_entries"
    writer = users.create(scopes=["write:time_entries"])
    assert_error(writer.api.get("/api/v1/timer/status"), 403, "forbidden")


def test_legacy_timer_routes(user: User, browser: httpx.Client) -> None:
    b = booking(user.api)
    started = browser.post(
        "/api/timer/start", json={"project_id": b.project["id"], "task_id": b.task["id"]}
    )
    body = ok(started)
    assert body["success"] is True
    assert isinstance(body["timer_id"], int)
    assert body["project_name"] == b.project["name"]
    assert body["task_id"] == b.task["id"]
    assert started.headers["X-API-Deprecated"] == "true"
    assert started.headers["Link"] == '</api/v1/timer/start>; rel="successor-version"'
    assert "Deprecation" in started.headers
    assert "Sunset" in started.headers
    assert_error(
        browser.post("/api/timer/start", json={"project_id": b.project["id"]}),
        409,
        "timer_already_running",
    )
    assert_error(browser.post("/api/timer/resume"), 409, "timer_already_running")
    ok(user.api.patch(f"/api/v1/time-entries/{body['timer_id']}", json={"notes": "carry on"}))

    stopped = browser.post("/api/timer/stop")
    stop_body = ok(stopped)
    assert stop_body["success"] is True
    assert stop_body["duration"].count(":") == 2
    assert stopped.headers["Link"] == '</api/v1/timer/stop>; rel="successor-version"'
    assert_error(browser.post("/api/timer/stop"), 400, "no_active_timer")

    # Resume restarts the last entry's project, task and notes as a new timer.
    resumed = browser.post("/api/timer/resume")
    resume_body = ok(resumed)
    assert "X-API-Deprecated" not in resumed.headers  # no successor
    timer = ok(user.api.get("/api/v1/timer/status"))["timer"]
    assert timer["id"] == resume_body["timer_id"] != body["timer_id"]
    assert (timer["project_id"], timer["task_id"], timer["notes"]) == (
        b.project["id"],
        b.task["id"],
        "carry on",
    )
    ok(browser.post("/api/timer/stop"))

    # Sessions only: a token is refused, and unsafe calls need the CSRF header.
    assert_error(user.api.post("/api/timer/start", json={"project_id": 1}), 401, "unauthorized")
    no_csrf = browser.post(
        "/api/timer/start",
        json={"project_id": b.project["id"]},
        headers={"X-CSRF-Token": "forged"},
    )
    assert no_csrf.status_code == 403, no_csrf.text


def test_legacy_resume_without_history(browser: httpx.Client) -> None:
    assert_error(browser.post("/api/timer/resume"), 404, "not_found")
