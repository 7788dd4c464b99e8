"""Every change is exactly one event of the right type, with the full state of
docs/events.md and versions growing by one (read back from Kafka)."""

from __future__ import annotations

from typing import Any

from timekit import EventLog, booking, create_client, create_project, create_task, ok

from support.api import User, wait_until
from support.kafka import read_events
from support.platform import PlatformInfo
from tt.common.events import Event

ENTRY_STATE = {
    "id",
    "user_id",
    "user",
    "project_id",
    "project",
    "client_id",
    "client",
    "task_id",
    "task",
    "start_time",
    "end_time",
    "duration_seconds",
    "break_seconds",
    "paused_at",
    "notes",
    "tags",
    "billable",
    "paid",
    "source",
    "is_active",
    "approval_status",
    "created_at",
    "updated_at",
}
PROJECT_STATE = {
    "id",
    "name",
    "code",
    "description",
    "client_id",
    "client",
    "billable",
    "hourly_rate",
    "estimated_hours",
    "budget_amount",
    "currency",
    "status",
    "is_archived",
    "created_at",
    "updated_at",
}
TASK_STATE = {
    "id",
    "project_id",
    "project",
    "name",
    "description",
    "status",
    "priority",
    "assigned_to",
    "due_date",
    "estimated_hours",
    "tags",
    "created_by",
    "created_at",
    "updated_at",
    "completed_at",
}
CLIENT_STATE = {
    "id",
    "name",
    "email",
    "company",
    "phone",
    "address",
    "contact_person",
    "description",
    "default_hourly_rate",
    "currency",
    "status",
    "is_active",
    "created_at",
    "updated_at",
}


def check(events: list[Event], types: list[str], fields: set[str]) -> list[dict[str, Any]]:
    assert [e.type for e in events] == types
    assert [e.version for e in events] == list(range(1, len(types) + 1))
    states = []
    for e in events:
        envelope = e.to_dict()
        assert envelope["specversion"] == "1.0"
        assert envelope["source"] == "/tt/time"
        assert envelope["datacontenttype"] == "application/json"
        assert e.traceparent
        assert e.time.endswith("Z")
        assert set(e.state) == fields, set(e.state) ^ fields
        assert str(e.state["id"]) == e.subject
        assert e.state["created_at"].endswith("Z")
        states.append(e.state)
    return states


def test_entry_and_timer_events(platform: PlatformInfo, user: User) -> None:
    log = EventLog(platform, "tt.time.entries")
    b = booking(user.api)
    entry = ok(
        user.api.post(
            "/api/v1/time-entries",
            json={
                "project_id": b.project["id"],
                "task_id": b.task["id"],
                "start_time": "2024-01-15T09:00:00Z",
                "end_time": "2024-01-15T17:00:00Z",
                "tags": "a,b",
                "notes": "n",
            },
        ),
        201,
    )["time_entry"]
    ok(user.api.patch(f"/api/v1/time-entries/{entry['id']}", json={"notes": "m"}))
    ok(user.api.patch(f"/api/v1/time-entries/{entry['id']}", json={"notes": "m"}))  # no change
    ok(user.api.delete(f"/api/v1/time-entries/{entry['id']}"))
    states = check(
        log.of(entry["id"], 3),
        ["tt.time_entry.created", "tt.time_entry.updated", "tt.time_entry.deleted"],
        ENTRY_STATE,
    )
    assert states[0]["user"] == user.username
    assert states[0]["project"] == b.project["name"]
    assert states[0]["client"] == b.client["name"]
    assert states[0]["task"] == b.task["name"]
    assert states[0]["duration_seconds"] == 28_800
    assert states[0]["tags"] == "a,b"
    assert states[0]["start_time"] == "2024-01-15T09:00:00Z"
    assert states[1]["notes"] == "m"
    assert states[2]["notes"] == "m"

    timer = ok(user.api.post("/api/v1/timer/start", json={"project_id": b.project["id"]}), 201)
    for action in ("pause", "resume", "stop"):
        ok(user.api.post(f"/api/v1/timer/{action}"))
    states = check(
        log.of(timer["timer"]["id"], 4),
        [
            "tt.time_entry.timer_started",
            "tt.time_entry.timer_paused",
            "tt.time_entry.timer_resumed",
            "tt.time_entry.timer_stopped",
        ],
        ENTRY_STATE,
    )
    assert [s["is_active"] for s in states] == [True, True, True, False]
    assert states[1]["paused_at"] is not None
    assert states[2]["paused_at"] is None
    assert states[3]["source"] == "auto"
    assert states[3]["end_time"].endswith("Z")

    # A deleted entity leaves a tombstone behind its last event (compaction).
    raw = read_events(platform.kafka_bootstrap, "tt.time.entries", since=log.since, raw=True)
    mine = [value for key, value, _ in raw if key == str(entry["id"]).encode()]
    assert mine[-1] is None
    assert len(mine) == 4


def test_project_task_and_client_events(platform: PlatformInfo, user: User) -> None:
    clients = EventLog(platform, "tt.time.clients")
    projects = EventLog(platform, "tt.time.projects")
    tasks = EventLog(platform, "tt.time.tasks")

    client = create_client(user.api, default_hourly_rate="80.5")
    ok(user.api.patch(f"/api/v1/clients/{client['id']}", json={"email": "a@b.example"}))
    project = create_project(user.api, client["id"], hourly_rate=90)
    ok(user.api.put(f"/api/v1/projects/{project['id']}", json={"description": "d"}))
    ok(user.api.delete(f"/api/v1/projects/{project['id']}"))
    task = create_task(user.api, project["id"])
    ok(user.api.patch(f"/api/v1/tasks/{task['id']}", json={"priority": "high"}))
    ok(user.api.patch(f"/api/v1/tasks/{task['id']}", json={"status": "done"}))
    ok(user.api.delete(f"/api/v1/tasks/{task['id']}"))
    lonely = create_client(user.api)
    ok(user.api.delete(f"/api/v1/clients/{lonely['id']}"))

    states = check(
        clients.of(client["id"], 2), ["tt.client.created", "tt.client.updated"], CLIENT_STATE
    )
    assert states[0]["default_hourly_rate"] == 80.5  # money is a number in events
    check(clients.of(lonely["id"], 2), ["tt.client.created", "tt.client.deleted"], CLIENT_STATE)
    states = check(
        projects.of(project["id"], 3),
        ["tt.project.created", "tt.project.updated", "tt.project.status_changed"],
        PROJECT_STATE,
    )
    assert states[0]["client"] == client["name"]
    assert states[0]["hourly_rate"] == 90
    assert states[2]["status"] == "archived"
    assert states[2]["is_archived"] is True
    states = check(
        tasks.of(task["id"], 4),
        ["tt.task.created", "tt.task.updated", "tt.task.completed", "tt.task.deleted"],
        TASK_STATE,
    )
    assert states[0]["project"] == project["name"]
    assert states[2]["completed_at"] is not None


def test_usernames_come_from_auth_events(user: User, admin_user: User) -> None:
    """An admin books an entry for a user the time service has never seen a request from;
    the name arrives with the user's ``tt.auth.users`` event, not from a call to auth."""
    project = create_project(admin_user.api)
    entry = ok(
        admin_user.api.post(
            "/api/v1/time-entries",
            json={
                "project_id": project["id"],
                "user_id": user.id,
                "start_time": "2024-01-15T09:00:00Z",
                "end_time": "2024-01-15T10:00:00Z",
            },
        ),
        201,
    )["time_entry"]

    def named() -> bool:
        got = ok(admin_user.api.get(f"/api/v1/time-entries/{entry['id']}"))["time_entry"]
        return bool(got["user"] == user.username)

    wait_until(named, what="the user's name from tt.auth.users")
