"""Time-entry approvals through the gateway: request, approve, reject with a comment,
list by status; pending and approved entries are read-only except for admins; events on
tt.time.approvals and one entry event per status move."""

from __future__ import annotations

from typing import Any

from timekit import EventLog, create_entry, create_project, day, ok

from support.api import User, Users, assert_error
from support.platform import PlatformInfo

APPROVALS = "/api/v1/time-entry-approvals"
BULK = "/api/v1/time-entries/bulk"


def _entries(user: User, n: int) -> list[dict[str, Any]]:
    project = create_project(user.api)
    return [
        create_entry(user.api, project["id"], start=day(i + 1), end=day(i + 1, 11))
        for i in range(n)
    ]


def _request(user: User, ids: list[int], **extra: Any) -> dict[str, Any]:
    body = ok(user.api.post(APPROVALS, json={"entry_ids": ids, **extra}), 201)
    approval: dict[str, Any] = body["approval"]
    return approval


def test_request_then_approve_locks_the_entries(users: Users, user: User) -> None:
    first, second, free = _entries(user, 3)
    approval = _request(user, [second["id"], first["id"]], comment="March, week 1")
    assert approval["status"] == "pending"
    assert approval["entry_ids"] == sorted([first["id"], second["id"]])
    assert (approval["user_id"], approval["requested_by"]) == (user.id, user.id)
    assert approval["comment"] == "March, week 1"
    entry = ok(user.api.get(f"/api/v1/time-entries/{first['id']}"))["time_entry"]
    assert entry["approval_status"] == "pending"
    # Pending: the owner cannot change or delete it (409), other entries are free.
    path = f"/api/v1/time-entries/{first['id']}"
    assert_error(user.api.patch(path, json={"notes": "edit"}), 409, "conflict")
    assert_error(user.api.delete(path), 409, "conflict")
    ok(user.api.patch(f"/api/v1/time-entries/{free['id']}", json={"notes": "edit"}))

    admin = users.create(is_admin=True)
    decided = ok(admin.api.post(f"{APPROVALS}/{approval['id']}/approve", json={"comment": "ok"}))
    assert decided["approval"]["status"] == "approved"
    assert decided["approval"]["decided_by"] == admin.id
    assert decided["approval"]["decision_comment"] == "ok"
    assert decided["approval"]["decided_at"] is not None
    assert ok(user.api.get(path))["time_entry"]["approval_status"] == "approved"
    # Approved: read-only for the owner (403), still changeable by an admin.
    assert_error(user.api.patch(path, json={"notes": "edit"}), 403, "forbidden")
    assert_error(user.api.delete(path), 403, "forbidden")
    bulk = ok(user.api.post(BULK, json={"entry_ids": [first["id"]], "action": "delete"}))
    assert bulk["skipped"] == [{"id": first["id"], "reason": "approved"}]
    fixed = ok(admin.api.patch(path, json={"notes": "corrected by admin"}))["time_entry"]
    assert fixed["notes"] == "corrected by admin"
    assert fixed["approval_status"] == "approved"
    # Decided once: deciding again is a conflict.
    assert_error(admin.api.post(f"{APPROVALS}/{approval['id']}/approve"), 409, "conflict")


def test_reject_needs_a_comment_and_frees_the_entries(users: Users, user: User) -> None:
    [entry] = _entries(user, 1)
    approval = _request(user, [entry["id"]])
    admin = users.create(is_admin=True)
    reject = f"{APPROVALS}/{approval['id']}/reject"
    missing = assert_error(admin.api.post(reject, json={}), 400, "validation_error")
    assert "comment" in missing["errors"]
    rejected = ok(admin.api.post(reject, json={"reason": "Wrong project"}))["approval"]
    assert (rejected["status"], rejected["comment"]) == ("rejected", "Wrong project")
    path = f"/api/v1/time-entries/{entry['id']}"
    changed = ok(user.api.patch(path, json={"notes": "fixed"}))["time_entry"]
    assert changed["approval_status"] == "rejected"
    # A rejected entry may be submitted again.
    again = ok(user.api.post(f"{path}/request-approval", json={"comment": "fixed"}), 201)
    assert again["approval"]["entry_ids"] == [entry["id"]]
    assert again["approval"]["status"] == "pending"


def test_only_admins_decide(users: Users, user: User) -> None:
    [entry] = _entries(user, 1)
    approval = _request(user, [entry["id"]])
    assert_error(user.api.post(f"{APPROVALS}/{approval['id']}/approve"), 403, "forbidden")
    stranger = users.create()
    assert_error(stranger.api.post(f"{APPROVALS}/{approval['id']}/approve"), 404, "not_found")
    assert_error(stranger.api.get(f"{APPROVALS}/{approval['id']}"), 404, "not_found")
    assert ok(user.api.get(f"{APPROVALS}/{approval['id']}"))["approval"]["status"] == "pending"


def test_what_cannot_be_requested(users: Users, user: User) -> None:
    first, second = _entries(user, 2)
    project = create_project(user.api)
    timer = ok(user.api.post("/api/v1/timer/start", json={"project_id": project["id"]}), 201)
    other = users.create()
    [theirs] = _entries(other, 1)
    _request(user, [first["id"]])
    problems = assert_error(
        user.api.post(
            APPROVALS,
            json={"entry_ids": [first["id"], second["id"], timer["timer"]["id"], theirs["id"]]},
        ),
        400,
        "validation_error",
    )["errors"]["entry_ids"]
    assert problems == [
        f"Time entry {first['id']} is already pending",
        f"Time entry {timer['timer']['id']} is still running",
        f"Time entry {theirs['id']} not found",
    ]
    # Nothing of a refused request happened: the second entry is still free.
    entry = ok(user.api.get(f"/api/v1/time-entries/{second['id']}"))["time_entry"]
    assert entry["approval_status"] is None
    assert_error(
        user.api.post(f"/api/v1/time-entries/{theirs['id']}/request-approval"), 404, "not_found"
    )
    assert_error(user.api.post(APPROVALS, json={"entry_ids": []}), 400, "validation_error")
    admin = users.create(is_admin=True)
    mixed = admin.api.post(APPROVALS, json={"entry_ids": [second["id"], theirs["id"]]})
    assert "one user" in assert_error(mixed, 400, "validation_error")["message"]


def test_lists_by_status(users: Users, user: User) -> None:
    one, two = _entries(user, 2)
    pending = _request(user, [one["id"]])
    decided = _request(user, [two["id"]])
    admin = users.create(is_admin=True)
    ok(admin.api.post(f"{APPROVALS}/{decided['id']}/approve"))

    def ids(api: Any, **params: Any) -> list[int]:
        return [a["id"] for a in ok(api.get(APPROVALS, params=params))["approvals"]]

    assert ids(user.api) == [decided["id"], pending["id"]]
    assert ids(user.api, status="pending") == [pending["id"]]
    assert ids(user.api, status="approved") == [decided["id"]]
    assert ids(user.api, status="rejected") == []
    assert_error(user.api.get(APPROVALS, params={"status": "maybe"}), 400, "validation_error")
    assert ids(admin.api, user_id=user.id) == [decided["id"], pending["id"]]
    stranger = users.create()
    assert ids(stranger.api) == []
    assert_error(stranger.api.get(APPROVALS, params={"user_id": user.id}), 403, "forbidden")


def test_events_on_tt_time_approvals(platform: PlatformInfo, users: Users, user: User) -> None:
    approvals = EventLog(platform, "tt.time.approvals")
    entry_log = EventLog(platform, "tt.time.entries")
    [entry] = _entries(user, 1)
    approval = _request(user, [entry["id"]], comment="please")
    admin = users.create(is_admin=True)
    ok(admin.api.post(f"{APPROVALS}/{approval['id']}/reject", json={"comment": "no"}))
    created, updated = approvals.of(approval["id"], 2)
    assert (created.type, created.version) == ("tt.approval.created", 1)
    assert (updated.type, updated.version) == ("tt.approval.updated", 2)
    assert set(created.state) == {
        "id", "user_id", "requested_by", "entry_ids", "status", "comment", "decided_by",
        "requested_at", "decided_at",
    }  # fmt: skip
    assert created.state["entry_ids"] == [entry["id"]]
    assert (created.state["status"], created.state["comment"]) == ("pending", "please")
    assert (updated.state["status"], updated.state["comment"]) == ("rejected", "no")
    assert updated.state["decided_by"] == admin.id
    moves = entry_log.of(entry["id"], 3)
    assert [(e.type, e.version, e.state["approval_status"]) for e in moves] == [
        ("tt.time_entry.created", 1, None),
        ("tt.time_entry.updated", 2, "pending"),
        ("tt.time_entry.updated", 3, "rejected"),
    ]
