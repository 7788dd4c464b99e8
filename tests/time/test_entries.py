"""Time entries through the gateway: create/list/get/update/delete, filters, ownership,
pagination, and the answer shape the reference apps read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from timekit import ENTRY_KEYS, booking, create_entry, create_project, day, ok

from support.api import User, Users, assert_error


def test_entry_lifecycle_in_the_reference_shape(user: User) -> None:
    b = booking(user.api)
    created = ok(
        user.api.post(
            "/api/v1/time-entries",
            json={
                "project_id": b.project["id"],
                "task_id": b.task["id"],
                "start_time": "2024-01-15T09:00:00Z",
                "end_time": "2024-01-15T17:00:00Z",
                "notes": "Worked on feature X",
                "tags": "development,frontend",
                "billable": True,
            },
        ),
        201,
    )
    assert created["message"]
    entry = created["time_entry"]
    assert set(entry) >= ENTRY_KEYS
    assert entry["user_id"] == user.id
    assert entry["user"] == user.username
    assert entry["project"] == b.project["name"]
    assert entry["client"] == b.client["name"]
    assert entry["task"] == b.task["name"]
    assert entry["client_id"] == b.client["id"]
    assert entry["start_time"] == "2024-01-15T09:00:00Z"
    assert entry["end_time"] == "2024-01-15T17:00:00Z"
    assert entry["duration_seconds"] == 28_800
    assert entry["duration_hours"] == 8.0
    assert entry["duration_formatted"] == "08:00:00"
    assert entry["break_seconds"] == 0
    assert entry["tags"] == "development,frontend"
    assert entry["tag_list"] == ["development", "frontend"]
    assert entry["is_active"] is False
    assert entry["paused_at"] is None
    assert entry["source"] == "manual"
    assert entry["paid"] is False

    got = ok(user.api.get(f"/api/v1/time-entries/{entry['id']}"))["time_entry"]
    assert got == entry

    put = ok(
        user.api.put(
            f"/api/v1/time-entries/{entry['id']}",
            json={
                "project_id": b.project["id"],
                "task_id": None,
                "start_time": "2024-01-15T08:00:00Z",
                "end_time": "2024-01-15T17:00:00Z",
                "notes": None,
                "tags": None,
                "billable": False,
                "break_seconds": 1800,
            },
        )
    )["time_entry"]
    assert put["task_id"] is None
    assert put["task"] is None
    assert put["notes"] is None
    assert put["duration_seconds"] == 9 * 3600 - 1800
    assert put["billable"] is False
    patched = ok(user.api.patch(f"/api/v1/time-entries/{entry['id']}", json={"notes": "y"}))
    assert patched["time_entry"]["notes"] == "y"
    assert patched["time_entry"]["billable"] is False

    assert ok(user.api.delete(f"/api/v1/time-entries/{entry['id']}")) == {
        "message": "Time entry deleted successfully"
    }
    assert_error(user.api.get(f"/api/v1/time-entries/{entry['id']}"), 404, "not_found")
    assert_error(user.api.delete(f"/api/v1/time-entries/{entry['id']}"), 404, "not_found")


def test_list_filters(user: User) -> None:
    project = create_project(user.api)
    other = create_project(user.api)
    first = create_entry(user.api, project["id"], day(1), day(1, 10))
    second = create_entry(user.api, project["id"], day(2), day(2, 10), billable=False)
    third = create_entry(user.api, other["id"], day(3), day(3, 10))
    running = create_entry(user.api, project["id"], day(4), None)

    def listed(**params: object) -> list[int]:
        body = ok(user.api.get("/api/v1/time-entries", params=params))
        return [e["id"] for e in body["time_entries"]]

    newest_first = [third["id"], second["id"], first["id"]]
    assert listed() == newest_first  # running timers are left out by default
    assert listed(include_active="true") == [running["id"], *newest_first]
    assert listed(project_id=project["id"]) == [second["id"], first["id"]]
    assert listed(billable="false") == [second["id"]]
    assert listed(billable="true") == [third["id"], first["id"]]
    assert listed(start_date="2024-03-02") == [third["id"], second["id"]]
    assert listed(end_date="2024-03-02") == [second["id"], first["id"]]  # the whole day
    assert listed(start_date="2024-03-02", end_date="2024-03-02") == [second["id"]]
    assert listed(start_date="2024-03-02T09:30:00Z") == [third["id"]]
    assert listed(user_id=user.id) == newest_first
    for bad in (
        {"billable": "maybe"},
        {"start_date": "yesterday"},
        {"end_date": "2024-13-01"},
        {"project_id": "x"},
        {"start_date": "9999-01-01"},
    ):
        assert_error(user.api.get("/api/v1/time-entries", params=bad), 400, "validation_error")


def test_plain_dates_are_days_in_the_listed_users_timezone(users: Users, admin_user: User) -> None:
    tokyo = users.create(timezone="Asia/Tokyo")
    project = create_project(tokyo.api)
    # 2024-03-01 23:30 UTC is already 2 March in Tokyo (UTC+9).
    late = create_entry(tokyo.api, project["id"], "2024-03-01T23:30:00Z", "2024-03-01T23:45:00Z")
    body = ok(tokyo.api.get("/api/v1/time-entries", params={"start_date": "2024-03-02"}))
    assert [e["id"] for e in body["time_entries"]] == [late["id"]]
    body = ok(tokyo.api.get("/api/v1/time-entries", params={"end_date": "2024-03-01"}))
    assert body["time_entries"] == []
    # An admin (in UTC) listing the Tokyo user's entries gets the Tokyo user's days.
    params = {"user_id": tokyo.id, "start_date": "2024-03-02", "end_date": "2024-03-02"}
    body = ok(admin_user.api.get("/api/v1/time-entries", params=params))
    assert [e["id"] for e in body["time_entries"]] == [late["id"]]


def test_pagination_of_entries(user: User) -> None:
    project = create_project(user.api)
    ids = [create_entry(user.api, project["id"], day(n), day(n, 10))["id"] for n in range(1, 6)]
    ids.reverse()  # newest first

    def page(n: int, per_page: int) -> dict[str, object]:
        return ok(user.api.get("/api/v1/time-entries", params={"page": n, "per_page": per_page}))

    first = page(1, 2)
    assert [e["id"] for e in first["time_entries"]] == ids[:2]
    assert first["pagination"] == {
        "page": 1,
        "per_page": 2,
        "total": 5,
        "pages": 3,
        "has_next": True,
        "has_prev": False,
        "next_page": 2,
        "prev_page": None,
    }
    last = page(3, 2)
    assert [e["id"] for e in last["time_entries"]] == ids[4:]
    assert last["pagination"]["has_next"] is False
    assert last["pagination"]["next_page"] is None
    assert last["pagination"]["prev_page"] == 2
    everything = page(1, 1000)
    assert everything["pagination"]["per_page"] == 100
    assert [e["id"] for e in everything["time_entries"]] == ids
    assert everything["pagination"]["total"] == 5
    assert everything["pagination"]["pages"] == 1


def test_users_see_only_their_own_entries(users: Users, user: User, admin_user: User) -> None:
    stranger = users.create()
    project = create_project(user.api)
    mine = create_entry(user.api, project["id"])
    theirs = create_entry(stranger.api, project["id"])
    # Another user's entry is not found, whatever the method.
    for call in (stranger.api.get, stranger.api.delete):
        assert_error(call(f"/api/v1/time-entries/{mine['id']}"), 404, "not_found")
    assert_error(
        stranger.api.patch(f"/api/v1/time-entries/{mine['id']}", json={"notes": "mine now"}),
        404,
        "not_found",
    )
    listed = ok(stranger.api.get("/api/v1/time-entries"))["time_entries"]
    assert [e["id"] for e in listed] == [theirs["id"]]
    denied = assert_error(
        stranger.api.get("/api/v1/time-entries", params={"user_id": user.id}), 403, "forbidden"
    )
    assert "own" in denied["message"]
    assert ok(user.api.get(f"/api/v1/time-entries/{mine['id']}"))["time_entry"]["notes"] is None

    # Admins see and change everyone's entries, and may book for another user.
    assert ok(admin_user.api.get(f"/api/v1/time-entries/{mine['id']}"))["time_entry"]["id"]
    by_user = ok(admin_user.api.get("/api/v1/time-entries", params={"user_id": user.id}))
    assert [e["id"] for e in by_user["time_entries"]] == [mine["id"]]
    everyone = ok(admin_user.api.get("/api/v1/time-entries", params={"per_page": 100}))
    assert everyone["pagination"]["total"] >= 2
    booked = create_entry(admin_user.api, project["id"], user_id=user.id)
    assert booked["user_id"] == user.id
    assert booked["id"] in [
        e["id"] for e in ok(user.api.get("/api/v1/time-entries"))["time_entries"]
    ]
    forbidden = user.api.post(
        "/api/v1/time-entries",
        json={
            "project_id": project["id"],
            "start_time": day(1),
            "end_time": day(1, 10),
            "user_id": stranger.id,
        },
    )
    assert_error(forbidden, 403, "forbidden")


def test_if_updated_at_guards_against_lost_updates(user: User) -> None:
    entry = create_entry(user.api, create_project(user.api)["id"])
    url = f"/api/v1/time-entries/{entry['id']}"
    fresh = ok(user.api.patch(url, json={"notes": "a", "if_updated_at": entry["updated_at"]}))
    stale = user.api.patch(url, json={"notes": "b", "if_updated_at": entry["updated_at"]})
    assert_error(stale, 409, "conflict")
    assert ok(user.api.get(url))["time_entry"]["notes"] == "a"
    # A client that keeps only whole seconds still names the current version.
    stamp = datetime.fromisoformat(fresh["time_entry"]["updated_at"].replace("Z", "+00:00"))
    rounded = stamp.replace(microsecond=0).isoformat()
    ok(user.api.patch(url, json={"notes": "c", "if_updated_at": rounded}))
    older = (stamp - timedelta(seconds=3)).astimezone(UTC).isoformat()
    assert_error(user.api.put(url, json={"notes": "d", "if_updated_at": older}), 409, "conflict")


def test_running_entries_and_updates(user: User) -> None:
    project = create_project(user.api)
    start = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    running = create_entry(user.api, project["id"], start, None, notes="live")
    assert running["is_active"] is True
    assert running["end_time"] is None
    assert running["duration_seconds"] is None
    assert running["duration_formatted"] >= "00:04:59"
    second = user.api.post(
        "/api/v1/time-entries", json={"project_id": project["id"], "start_time": start}
    )
    assert_error(second, 409, "timer_already_running")
    # Setting an end finishes it; a finished entry cannot be made running again.
    end = datetime.now(UTC).isoformat()
    done = ok(user.api.patch(f"/api/v1/time-entries/{running['id']}", json={"end_time": end}))
    assert done["time_entry"]["is_active"] is False
    assert 299 <= done["time_entry"]["duration_seconds"] <= 330
    reopened = user.api.patch(f"/api/v1/time-entries/{running['id']}", json={"end_time": None})
    assert "end_time" in assert_error(reopened, 400, "validation_error")["errors"]
