"""The reference product's apps (desktop legacy DL, desktop React DR, mobile M, browser
extension X) against tt's time routes: each test replays one app's requests as
notes/reference-clients.md lists them and checks every field that app reads, with the
type it expects."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from timekit import create_client, create_project, create_task, ok

from support.api import User, assert_error, unique

JSON = {"Accept": "application/json", "Content-Type": "application/json"}


def mine_only(client: dict[str, Any]) -> dict[str, Any]:
    """Projects and clients are the organisation's, shared by every test on the platform:
    the apps' project lists are narrowed to this test's client so its project is on page 1
    (the apps themselves send no ``client_id``)."""
    return {"client_id": client["id"]}


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_iso(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


def check_entry(entry: dict[str, Any]) -> None:
    """The entry fields every app reads, with their types."""
    for key in ("id", "user_id", "project_id", "break_seconds"):
        assert is_int(entry[key]), (key, entry[key])
    assert entry["task_id"] is None or is_int(entry["task_id"])
    assert is_iso(entry["start_time"])
    assert entry["start_time"].endswith("Z")
    assert entry["end_time"] is None or is_iso(entry["end_time"])
    assert entry["paused_at"] is None or is_iso(entry["paused_at"])
    assert entry["duration_seconds"] is None or is_int(entry["duration_seconds"])
    assert isinstance(entry["duration_formatted"], str)
    assert entry["tags"] is None or isinstance(entry["tags"], str)
    for key in ("project", "client", "task", "user"):
        assert entry[key] is None or isinstance(entry[key], str), key  # names, not objects
    assert isinstance(entry["billable"], bool)
    assert isinstance(entry["paid"], bool)
    assert entry["source"] in ("manual", "auto")
    assert isinstance(entry["is_active"], bool)
    assert is_iso(entry["created_at"])
    assert is_iso(entry["updated_at"])


def test_desktop_legacy_renderer(user: User) -> None:
    api = user.api
    api.headers.update(JSON)
    client = create_client(api)
    project = create_project(api, client["id"])
    task = create_task(api, project["id"])

    projects = ok(
        api.get(
            "/api/v1/projects", params={**mine_only(client), "status": "active", "per_page": 100}
        )
    )
    mine = next(p for p in projects["projects"] if p["id"] == project["id"])
    assert is_int(mine["id"])
    assert mine["name"] == project["name"]
    assert mine["client"] == client["name"]  # a string
    tasks = ok(api.get("/api/v1/tasks", params={"project_id": project["id"]}))["tasks"]
    assert [(t["id"], t["name"]) for t in tasks] == [(task["id"], task["name"])]
    clients = ok(api.get("/api/v1/clients", params={"status": "active", "per_page": 100}))
    assert all(is_int(c["id"]) and isinstance(c["name"], str) for c in clients["clients"])

    start = {"project_id": project["id"], "task_id": task["id"], "notes": None}
    timer = ok(api.post("/api/v1/timer/start", json=start), 201)["timer"]
    check_entry(timer)
    status = ok(api.get("/api/v1/timer/status"))
    assert status["active"] is True
    assert status["timer"]["start_time"] == timer["start_time"]
    assert status["timer"]["project"] == project["name"]
    assert status["timer"]["notes"] is None
    ok(api.post("/api/v1/timer/stop"))
    # DL treats a second stop's 400 no_active_timer as success.
    assert_error(api.post("/api/v1/timer/stop"), 400, "no_active_timer")

    today = datetime.now(UTC).date().isoformat()
    body = {
        "project_id": project["id"],
        "task_id": None,
        "start_time": f"{today}T08:00:00.000Z",
        "end_time": f"{today}T09:30:00.000Z",
        "notes": None,
        "tags": None,
        "billable": True,
    }
    created = ok(api.post("/api/v1/time-entries", json=body), 201)["time_entry"]
    check_entry(created)
    listed = ok(
        api.get(
            "/api/v1/time-entries",
            params={
                "start_date": today,
                "end_date": today,
                "project_id": project["id"],
                "billable": "true",
                "page": 1,
                "per_page": 50,
            },
        )
    )
    row = next(e for e in listed["time_entries"] if e["id"] == created["id"])
    assert row["project"] == project["name"]
    assert row["duration_seconds"] == 5400
    edit = ok(api.get(f"/api/v1/time-entries/{created['id']}"))["time_entry"]
    assert {k: edit[k] for k in ("project_id", "task_id", "notes", "tags", "billable")} == {
        "project_id": project["id"],
        "task_id": None,
        "notes": None,
        "tags": None,
        "billable": True,
    }
    put = ok(
        api.put(
            f"/api/v1/time-entries/{created['id']}",
            json={**body, "task_id": task["id"], "notes": "edited", "tags": "x,y"},
        )
    )
    assert put["time_entry"]["task"] == task["name"]
    assert put["time_entry"]["tags"] == "x,y"
    ok(api.delete(f"/api/v1/time-entries/{created['id']}"))


def test_desktop_react_renderer(user: User) -> None:
    api = user.api
    api.headers.update(JSON)
    project = create_project(api)
    listed = ok(api.get("/api/v1/projects"))
    assert all({"id", "name", "status"} <= set(p) for p in listed["projects"])
    tasks = ok(api.get("/api/v1/tasks", params={"project_id": project["id"], "per_page": 100}))
    assert tasks["tasks"] == []
    made = ok(
        api.post(
            "/api/v1/tasks", json={"project_id": project["id"], "name": "k", "status": "todo"}
        ),
        201,
    )["task"]
    moved = api.patch(
        f"/api/v1/tasks/{made['id']}", json={"status": "in_progress", "kanban_column": "doing"}
    )
    assert ok(moved)["task"]["status"] == "in_progress"
    # A project id from a <select> is a string; notes default to ''.
    ok(
        api.post(
            "/api/v1/timer/start",
            json={"project_id": str(project["id"]), "task_id": None, "notes": ""},
        ),
        201,
    )
    ok(api.post("/api/v1/timer/pause"))
    status = ok(api.get("/api/v1/timer/status"))["timer"]
    assert is_iso(status["start_time"])
    assert is_iso(status["paused_at"])
    assert is_int(status["break_seconds"])
    ok(api.post("/api/v1/timer/resume"))
    ok(api.post("/api/v1/timer/stop"))
    entries = ok(api.get("/api/v1/time-entries", params={"perPage": 25}))  # camelCase: ignored
    assert entries["pagination"]["per_page"] == 50
    for entry in entries["time_entries"]:
        check_entry(entry)
    ok(api.get("/api/v1/clients", params={"perPage": 100}))


def test_mobile_app(user: User) -> None:
    api = user.api
    api.headers.update(JSON)  # Content-Type on every request, body-less ones too
    client = ok(
        api.post(
            "/api/v1/clients",
            json={"name": unique("M "), "email": "m@x.example", "phone": "+1 555"},
        ),
        201,
    )["client"]
    got = ok(api.get(f"/api/v1/clients/{client['id']}"))["client"]
    assert {k: got[k] for k in ("name", "email", "phone", "address")} == {
        "name": client["name"],
        "email": "m@x.example",
        "phone": "+1 555",
        "address": None,
    }
    clients = ok(api.get("/api/v1/clients", params={"per_page": 100}))
    assert all({"id", "name", "email"} <= set(c) for c in clients["clients"])
    project = create_project(api, client["id"])
    projects = ok(
        api.get(
            "/api/v1/projects", params={**mine_only(client), "status": "active", "per_page": 100}
        )
    )
    mine = next(p for p in projects["projects"] if p["id"] == project["id"])
    assert isinstance(mine["client"], str)
    assert isinstance(mine["billable"], bool)
    assert mine["status"] == "active"
    assert is_iso(mine["created_at"])
    assert is_iso(mine["updated_at"])

    task = ok(
        api.post(
            "/api/v1/tasks",
            json={"project_id": project["id"], "name": "m", "status": "todo", "priority": "high"},
        ),
        201,
    )["task"]
    ok(api.patch(f"/api/v1/tasks/{task['id']}", json={"name": "m2", "priority": "urgent"}))
    tasks = ok(
        api.get(
            "/api/v1/tasks", params={"project_id": project["id"], "status": "todo", "per_page": 100}
        )
    )["tasks"]
    assert [(t["name"], t["priority"], t["created_by"]) for t in tasks] == [
        ("m2", "urgent", user.id)
    ]

    ok(api.post("/api/v1/timer/start", json={"project_id": project["id"]}), 201)
    status = ok(api.get("/api/v1/timer/status"))
    assert status["active"] is True
    for key in (
        "id",
        "user_id",
        "project_id",
        "task_id",
        "start_time",
        "notes",
        "paused_at",
        "break_seconds",
    ):
        assert key in status["timer"]
    assert is_int(status["timer"]["id"])
    assert "time_entry" in ok(api.post("/api/v1/timer/pause"))
    assert "time_entry" in ok(api.post("/api/v1/timer/resume"))
    stopped = ok(api.post("/api/v1/timer/stop"))["time_entry"]
    check_entry(stopped)

    # Offline creates are replayed with an Idempotency-Key; times are device-local, no offset.
    key = {"Idempotency-Key": unique("offline-")}
    body = {
        "project_id": project["id"],
        "start_time": "2024-05-01T09:00:00",
        "end_time": "2024-05-01T11:00:00",
        "notes": "offline",
        "billable": True,
    }
    first = api.post("/api/v1/time-entries", json=body, headers=key)
    replay = api.post("/api/v1/time-entries", json=body, headers=key)
    assert first.status_code == replay.status_code == 201
    assert first.content == replay.content
    entry = first.json()["time_entry"]
    patched = ok(api.patch(f"/api/v1/time-entries/{entry['id']}", json={"notes": "synced"}))
    assert patched["time_entry"]["notes"] == "synced"

    # The sync loop pages through everything until has_next is not true.
    seen: list[int] = []
    page = 1
    while True:
        body_page = ok(api.get("/api/v1/time-entries", params={"page": page, "per_page": 100}))
        seen += [e["id"] for e in body_page["time_entries"]]
        assert isinstance(body_page["pagination"]["has_next"], bool)
        if body_page["pagination"]["has_next"] is not True:
            break
        page += 1
    assert set(seen) == {stopped["id"], entry["id"]}
    assert ok(api.delete(f"/api/v1/time-entries/{entry['id']}"))["message"]
    ok(api.delete(f"/api/v1/tasks/{task['id']}"))


def test_browser_extension(user: User) -> None:
    api = user.api
    api.headers["Accept"] = "application/json"
    client = create_client(api)
    created = ok(
        api.post(
            "/api/v1/projects",
            json={
                "name": unique("X "),
                "client_id": client["id"],
                "description": "from the extension",
            },
        ),
        201,
    )
    project_id = created["project"]["id"]
    task_id = ok(api.post("/api/v1/tasks", json={"name": "x", "project_id": project_id}), 201)[
        "task"
    ]["id"]
    projects = ok(
        api.get(
            "/api/v1/projects", params={**mine_only(client), "status": "active", "per_page": 100}
        )
    )
    assert any(p["id"] == project_id and isinstance(p["name"], str) for p in projects["projects"])
    tasks = ok(
        api.get(
            "/api/v1/tasks", params={"project_id": project_id, "status": "active", "per_page": 100}
        )
    )
    assert [t["id"] for t in tasks["tasks"]] == [task_id]  # the picker is not empty
    ok(api.get("/api/v1/clients", params={"per_page": 100}))

    ok(api.post("/api/v1/timer/start", json={"project_id": project_id, "task_id": task_id}), 201)
    status = ok(api.get("/api/v1/timer/status"))
    timer = status["timer"]
    assert status["active"] is True
    assert is_iso(timer["start_time"])
    assert timer["project"] == created["project"]["name"]
    assert timer["task"] == "x"
    assert timer["project_id"] == project_id
    assert timer["paused_at"] is None
    assert is_int(timer["break_seconds"])
    stop = api.build_request("POST", "/api/v1/timer/stop")
    assert "content-type" not in stop.headers  # no body, no Content-Type
    ok(api.send(stop))
