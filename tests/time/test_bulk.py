"""Bulk actions through the gateway: one transaction over up to 1,000 ids, every id
reported (changed, unchanged, or skipped with its reason), one event per changed entry."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from csvkit import document, entries, rows, send
from timekit import EventLog, create_project, ok

from support.api import User, Users, assert_error
from support.platform import PlatformInfo

BULK = "/api/v1/time-entries/bulk"


def bulk(api: httpx.Client, ids: list[int], action: str, **value: object) -> dict[str, Any]:
    return ok(api.post(BULK, json={"entry_ids": ids, "action": action, **value}))


def _import(user: User, project_id: int, n: int) -> list[int]:
    ok(send(user.api, document(rows(project_id, n))))
    return [e["id"] for e in entries(user.api, project_id=project_id)]


def test_500_ids_some_running_some_foreign(users: Users, user: User) -> None:
    project = create_project(user.api)
    mine = _import(user, project["id"], 450)
    other = users.create()
    foreign = _import(other, project["id"], 48)
    timer = ok(user.api.post("/api/v1/timer/start", json={"project_id": project["id"]}), 201)
    running = timer["timer"]["id"]
    missing = max(mine + foreign + [running]) + 10_000
    ids = mine + foreign + [running, missing]
    assert len(ids) == 500
    answer = ok(
        user.api.post(BULK, json={"entry_ids": ids, "action": "set_billable", "value": False})
    )
    assert answer["success"] is True
    assert answer["affected"] == 450
    # Half of the imported entries were not billable already: unchanged, no new version.
    assert sorted(answer["changed_ids"] + answer["unchanged_ids"]) == sorted(mine)
    assert len(answer["changed_ids"]) == 225
    skipped = {s["id"]: s["reason"] for s in answer["skipped"]}
    assert skipped == {
        **dict.fromkeys(foreign, "not_found"),
        running: "active",
        missing: "not_found",
    }
    assert all(e["billable"] is False for e in entries(user.api, project_id=project["id"]))
    assert all(e["billable"] == (i % 2 == 1) for i, e in enumerate(reversed(entries(other.api))))
    status = ok(user.api.get("/api/v1/timer/status"))
    assert status["active"] is True
    assert status["timer"]["billable"] is True


def test_an_admin_reaches_every_users_entries(users: Users, user: User) -> None:
    project = create_project(user.api)
    theirs = _import(user, project["id"], 5)
    admin = users.create(is_admin=True)
    answer = ok(
        admin.api.post(BULK, json={"entry_ids": theirs, "action": "set_paid", "value": True})
    )
    assert sorted(answer["changed_ids"]) == sorted(theirs)
    assert all(e["paid"] for e in entries(user.api))


def test_tags_are_added_and_removed_once(user: User) -> None:
    project = create_project(user.api)
    ids = _import(user, project["id"], 3)  # tags tag0, tag1, tag2
    added = ok(
        user.api.post(BULK, json={"entry_ids": ids, "action": "add_tag", "value": "x, tag1"})
    )
    assert added["affected"] == 3
    tags = {e["id"]: e["tags"] for e in entries(user.api)}
    assert sorted(tags.values()) == ["tag0,x,tag1", "tag1,x", "tag2,x,tag1"]
    again = bulk(user.api, ids, "add_tag", value="x")
    assert again["changed_ids"] == []
    assert sorted(again["unchanged_ids"]) == sorted(ids)
    removed = bulk(user.api, ids, "remove_tag", value="x")
    assert len(removed["changed_ids"]) == 3
    assert sorted(e["tags"] for e in entries(user.api)) == ["tag0,tag1", "tag1", "tag2,tag1"]


def test_delete_skips_running_entries(user: User) -> None:
    project = create_project(user.api)
    ids = _import(user, project["id"], 4)
    running = ok(user.api.post("/api/v1/timer/start", json={"project_id": project["id"]}), 201)
    timer_id = running["timer"]["id"]
    answer = bulk(user.api, [*ids, timer_id], "delete")
    assert sorted(answer["changed_ids"]) == sorted(ids)
    assert answer["skipped"] == [{"id": timer_id, "reason": "active"}]
    assert entries(user.api) == []
    assert ok(user.api.get("/api/v1/timer/status"))["active"] is True


def test_changes_publish_one_event_each(platform: PlatformInfo, user: User) -> None:
    project = create_project(user.api)
    first, second = _import(user, project["id"], 2)
    log = EventLog(platform, "tt.time.entries")
    ok(
        user.api.post(
            BULK, json={"entry_ids": [first, second], "action": "set_paid", "value": True}
        )
    )
    ok(user.api.post(BULK, json={"entry_ids": [second], "action": "delete"}))
    [paid] = log.of(first, 1)
    assert (paid.type, paid.version, paid.state["paid"]) == ("tt.time_entry.updated", 2, True)
    events = log.of(second, 2)
    assert [(e.type, e.version) for e in events] == [
        ("tt.time_entry.updated", 2),
        ("tt.time_entry.deleted", 3),
    ]
    assert events[1].state["id"] == second


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"entry_ids": [], "action": "delete"}, "entry_ids"),
        ({"entry_ids": "1,2", "action": "delete"}, "entry_ids"),
        ({"entry_ids": [1, "x"], "action": "delete"}, "entry_ids.1"),
        ({"entry_ids": list(range(1, 1002)), "action": "delete"}, "entry_ids"),
        ({"entry_ids": [1], "action": "archive"}, "action"),
        ({"entry_ids": [1]}, "action"),
        ({"entry_ids": [1], "action": "set_billable"}, "value"),
        ({"entry_ids": [1], "action": "set_paid", "value": "yes"}, "value"),
        ({"entry_ids": [1], "action": "add_tag", "value": " , "}, "value"),
        ({"entry_ids": [1], "action": "remove_tag", "value": 3}, "value"),
        ({"entry_ids": [1], "action": "delete", "extra": 1}, "extra"),
    ],
)
def test_bad_bodies_are_400_and_change_nothing(
    user: User, body: dict[str, object], field: str
) -> None:
    assert field in assert_error(user.api.post(BULK, json=body), 400, "validation_error")["errors"]


def test_bulk_needs_the_write_scope(users: Users) -> None:
    reader = users.create(scopes=["read:time_entries"])
    denied = reader.api.post(BULK, json={"entry_ids": [1], "action": "delete"})
    assert assert_error(denied, 403, "forbidden")["required_scope"] == "write:time_entries"
