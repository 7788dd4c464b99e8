"""Bad input on time entries: a clear 400 ``validation_error`` naming the fields, nothing
stored, no event published. Limits: notes 5000 characters, tags 500, times within
[1970, 2100), entries over 24 h only with ``allow_long_duration: true``."""

from __future__ import annotations

from typing import Any

import pytest
from timekit import EventLog, booking, create_entry, create_project, create_task, ok

from support.api import User, assert_error
from support.platform import PlatformInfo

START, END = "2024-01-15T09:00:00Z", "2024-01-15T17:00:00Z"


def bad_bodies(
    project_id: int, task_id: int, foreign_task_id: int, archived_id: int
) -> list[tuple[dict[str, Any], str]]:
    ok_times = {"start_time": START, "end_time": END}
    return [
        ({"project_id": project_id}, "start_time"),
        ({**ok_times}, "project_id"),
        ({"project_id": "seven", **ok_times}, "project_id"),
        ({"project_id": True, **ok_times}, "project_id"),
        ({"project_id": 1.5, **ok_times}, "project_id"),
        ({"project_id": 2**64, **ok_times}, "project_id"),
        ({"project_id": 999_999_999, **ok_times}, "project_id"),
        ({"project_id": archived_id, **ok_times}, "project_id"),
        ({"project_id": project_id, "task_id": 999_999_999, **ok_times}, "task_id"),
        ({"project_id": project_id, "task_id": foreign_task_id, **ok_times}, "task_id"),
        ({"project_id": project_id, "start_time": 1705309200, "end_time": END}, "start_time"),
        ({"project_id": project_id, "start_time": "15/01/2024 09:00", "end_time": END},
         "start_time"),
        ({"project_id": project_id, "start_time": "2024-02-30T09:00:00Z", "end_time": END},
         "start_time"),
        ({"project_id": project_id, "start_time": "9999-12-31T00:00:00Z"}, "start_time"),
        ({"project_id": project_id, "start_time": "1900-01-01T00:00:00Z",
          "end_time": "1900-01-01T01:00:00Z"}, "start_time"),
        ({"project_id": project_id, "start_time": END, "end_time": START}, "end_time"),
        ({"project_id": project_id, "start_time": START, "end_time": START}, "end_time"),
        ({"project_id": project_id, "start_time": START, "end_time": "2024-01-16T09:00:01Z"},
         "end_time"),
        ({"project_id": project_id, "start_time": "2099-06-01T09:00:00Z"}, "start_time"),
        ({"project_id": project_id, "break_seconds": 9 * 3600, **ok_times}, "break_seconds"),
        ({"project_id": project_id, "break_seconds": "ten", **ok_times}, "break_seconds"),
        ({"project_id": project_id, "notes": "x" * 5001, **ok_times}, "notes"),
        ({"project_id": project_id, "notes": 42, **ok_times}, "notes"),
        ({"project_id": project_id, "notes": "a\x00b", **ok_times}, "notes"),
        ({"project_id": project_id, "tags": "t" * 501, **ok_times}, "tags"),
        ({"project_id": project_id, "tags": {"a": 1}, **ok_times}, "tags"),
        ({"project_id": project_id, "billable": "yes", **ok_times}, "billable"),
        ({"project_id": project_id, "colour": "red", **ok_times}, "colour"),
        ({"project_id": project_id, "task_id": task_id, "client_id": 999_999_999, **ok_times},
         "client_id"),
    ]  # fmt: skip


def test_bad_entries_store_nothing_and_publish_nothing(platform: PlatformInfo, user: User) -> None:
    events = EventLog(platform, "tt.time.entries")
    b = booking(user.api)
    foreign = create_task(user.api, create_project(user.api)["id"])
    archived = create_project(user.api)
    ok(user.api.delete(f"/api/v1/projects/{archived['id']}"))
    for body, field in bad_bodies(b.project["id"], b.task["id"], foreign["id"], archived["id"]):
        r = user.api.post("/api/v1/time-entries", json=body)
        error = assert_error(r, 400, "validation_error")
        assert field in error["errors"], (body, error)
        assert all(isinstance(m, str) for m in error["errors"][field])
    for raw in (b"{not json", b'{"project_id": 1,}', b"[1, 2]", b'"text"', b"null"):
        r = user.api.post(
            "/api/v1/time-entries", content=raw, headers={"Content-Type": "application/json"}
        )
        assert "body" in assert_error(r, 400, "validation_error")["errors"]
    empty = user.api.post("/api/v1/time-entries", headers={"Content-Type": "application/json"})
    assert "start_time" in assert_error(empty, 400, "validation_error")["errors"]

    listed = ok(user.api.get("/api/v1/time-entries", params={"include_active": "true"}))
    assert listed["time_entries"] == []
    assert listed["pagination"]["total"] == 0
    events.none_for(lambda e: e.state.get("user_id") == user.id)


def test_long_entries_need_the_flag(user: User) -> None:
    project = create_project(user.api)
    long = create_entry(
        user.api, project["id"], START, "2024-01-17T09:00:00Z", allow_long_duration=True
    )
    assert long["duration_seconds"] == 48 * 3600
    exactly_a_day = create_entry(user.api, project["id"], START, "2024-01-16T09:00:00Z")
    assert exactly_a_day["duration_formatted"] == "24:00:00"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2024-01-15T09:00:00", "2024-01-15T09:00:00Z"),  # naive is UTC
        ("2024-01-15T10:00:00+01:00", "2024-01-15T09:00:00Z"),
        ("2024-01-15T09:00:00.250Z", "2024-01-15T09:00:00.250000Z"),
    ],
)
def test_datetimes_are_answered_in_utc(user: User, given: str, stored: str) -> None:
    project = create_project(user.api)
    entry = create_entry(user.api, project["id"], given, "2024-01-15T12:00:00Z")
    assert entry["start_time"] == stored


def test_updates_are_validated_too(user: User) -> None:
    b = booking(user.api)
    foreign = create_task(user.api, create_project(user.api)["id"])
    entry = create_entry(user.api, b.project["id"], task_id=b.task["id"])
    url = f"/api/v1/time-entries/{entry['id']}"
    for body, field in [
        ({"end_time": "2024-01-15T08:00:00Z"}, "end_time"),
        ({"start_time": None}, "start_time"),
        ({"task_id": foreign["id"]}, "task_id"),
        ({"project_id": create_project(user.api)["id"]}, "task_id"),  # task left behind
        ({"billable": None}, "billable"),
        ({"if_updated_at": "yesterday"}, "if_updated_at"),
        ({"unknown": 1}, "unknown"),
    ]:
        error = assert_error(user.api.patch(url, json=body), 400, "validation_error")
        assert field in error["errors"], (body, error)
    assert ok(user.api.get(url))["time_entry"] == entry
