"""docs/api.md §5 (lists, single resources, dates) on every list and create of every service,
through the gateway: the pagination envelope with its defaults, clamp and page links;
creates answer 201 with the resource under its singular name and a ``message``; ids are
integers; every datetime in an answer is UTC with ``Z``; naive input is UTC; a single
resource comes wrapped in its singular name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from contractkit import PAGINATION_KEYS, booking, created, entry, is_utc_z, ok

from support.api import User, unique

Make = Callable[[httpx.Client, httpx.Client, User], str]


@dataclass(frozen=True)
class Listed:
    """A list route, the key its items come under, and how to put two items on it (the
    maker creates them and answers the list's path)."""

    plural: str
    make: Make
    singular: str | None  # None: the route has no GET of one item
    admin: bool = False


def _clients(api: httpx.Client, _: httpx.Client, __: User) -> str:
    for _n in range(2):
        created(api.post("/api/v1/clients", json={"name": unique("Client ")}), "client")
    return "/api/v1/clients"


def _projects(api: httpx.Client, _: httpx.Client, __: User) -> str:
    for _n in range(2):
        created(api.post("/api/v1/projects", json={"name": unique("Project ")}), "project")
    return "/api/v1/projects"


def _tasks(api: httpx.Client, _: httpx.Client, __: User) -> str:
    project = booking(api).project  # its task is the first of two
    body = {"name": unique("Task "), "project_id": project["id"], "due_date": "2024-02-03"}
    task = created(api.post("/api/v1/tasks", json=body), "task")
    assert task["due_date"] == "2024-02-03"  # dates are YYYY-MM-DD
    return f"/api/v1/tasks?project_id={project['id']}"


def _entries(api: httpx.Client, _: httpx.Client, __: User) -> str:
    project = booking(api).project
    entry(api, project["id"], day=15)
    entry(api, project["id"], day=16)
    return "/api/v1/time-entries"


def _contacts(api: httpx.Client, _: httpx.Client, __: User) -> str:
    client = booking(api).client
    path = f"/api/v1/clients/{client['id']}/contacts"
    for name in ("Ada", "Grace"):
        body = {"first_name": name, "last_name": "Lovelace", "email": f"{unique()}@example.test"}
        created(api.post(path, json=body), "contact")
    return path


def _deals(api: httpx.Client, _: httpx.Client, __: User) -> str:
    for _n in range(2):
        deal = created(
            api.post(
                "/api/v1/deals",
                json={"name": unique("Deal "), "expected_close_date": "2024-03-31"},
            ),
            "deal",
        )
        assert deal["expected_close_date"] == "2024-03-31"
    return "/api/v1/deals"


def _leads(api: httpx.Client, _: httpx.Client, __: User) -> str:
    for _n in range(2):
        body = {"first_name": "Lee", "last_name": unique(), "email": f"{unique()}@example.test"}
        created(api.post("/api/v1/leads", json=body), "lead")
    return "/api/v1/leads"


def _approvals(api: httpx.Client, _: httpx.Client, __: User) -> str:
    project = booking(api).project
    for day in (15, 16):
        one = entry(api, project["id"], day=day)
        body = {"entry_ids": [one["id"]]}
        created(api.post("/api/v1/time-entry-approvals", json=body), "approval")
    return "/api/v1/time-entry-approvals"


def _webhooks(api: httpx.Client, _: httpx.Client, __: User) -> str:
    for _n in range(2):  # inactive: nothing is ever sent to the closed port
        body = {"url": "http://127.0.0.1:9/hook", "events": ["tt.project.*"], "active": False}
        created(api.post("/api/v1/webhooks", json=body), "webhook")
    return "/api/v1/webhooks"


def _deliveries(api: httpx.Client, _: httpx.Client, __: User) -> str:
    body = {"url": "http://127.0.0.1:9/hook", "events": ["tt.project.*"]}
    hook = created(api.post("/api/v1/webhooks", json=body), "webhook")
    for _n in range(2):
        ok(api.post(f"/api/v1/webhooks/{hook['id']}/test"), 202)
    return f"/api/v1/webhooks/{hook['id']}/deliveries"


def _users(_: httpx.Client, admin: httpx.Client, __: User) -> str:
    for _n in range(2):
        name = unique()
        body = {"username": name, "email": f"{name}@example.test", "password": "pw-" + unique()}
        made = created(admin.post("/api/v1/admin/users", json=body), "user")
        assert not any("password" in key for key in made), made
    return "/api/v1/admin/users"


def _api_tokens(_: httpx.Client, admin: httpx.Client, user: User) -> str:
    for _n in range(2):
        body = {"name": unique("token-"), "user_id": user.id, "scopes": ["read:projects"]}
        created(admin.post("/api/v1/admin/api-tokens", json=body), "api_token")
    return f"/api/v1/admin/api-tokens?user_id={user.id}"


def _timetrack_keys(_: httpx.Client, admin: httpx.Client, user: User) -> str:
    for _n in range(2):
        body = {"user_id": user.id}
        created(admin.post("/api/v1/admin/timetrack-keys", json=body), "timetrack_key")
    return "/api/v1/admin/timetrack-keys"


LISTS = {
    "clients": Listed("clients", _clients, "client"),
    "projects": Listed("projects", _projects, "project"),
    "tasks": Listed("tasks", _tasks, "task"),
    "time-entries": Listed("time_entries", _entries, "time_entry"),
    "contacts": Listed("contacts", _contacts, "contact"),
    "deals": Listed("deals", _deals, "deal"),
    "leads": Listed("leads", _leads, "lead"),
    "time-entry-approvals": Listed("approvals", _approvals, "approval"),
    "webhooks": Listed("webhooks", _webhooks, "webhook"),
    "deliveries": Listed("deliveries", _deliveries, None),
    "admin-users": Listed("users", _users, "user", admin=True),
    "admin-api-tokens": Listed("api_tokens", _api_tokens, "api_token", admin=True),
    "admin-timetrack-keys": Listed("timetrack_keys", _timetrack_keys, None, admin=True),
}


def _with(path: str, **params: int) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{path}{'&' if '?' in path else '?'}{query}"


def _datetimes_are_utc_z(value: Any, where: str = "") -> None:
    """Every datetime anywhere in an answer ends in Z (docs/api.md §5)."""
    if isinstance(value, dict):
        for key, item in value.items():
            _datetimes_are_utc_z(item, f"{where}.{key}")
    elif isinstance(value, list):
        for item in value:
            _datetimes_are_utc_z(item, f"{where}[]")
    elif isinstance(value, str) and len(value) > 10 and value[:4].isdigit() and value[10] == "T":
        assert is_utc_z(value), (where, value)


@pytest.mark.parametrize("name", list(LISTS))
def test_every_list_has_the_envelope_defaults_clamp_and_page_links(
    name: str, user: User, admin_api: httpx.Client
) -> None:
    listed = LISTS[name]
    path = listed.make(user.api, admin_api, user)
    api = admin_api if listed.admin else user.api
    try:
        _check_list(api, path, listed)
    finally:  # no subscription is left retrying against the closed port
        for hook in ok(user.api.get("/api/v1/webhooks"))["webhooks"]:
            ok(user.api.delete(f"/api/v1/webhooks/{hook['id']}"))


def _check_list(api: httpx.Client, path: str, listed: Listed) -> None:

    first = ok(api.get(path))
    assert set(first) == {listed.plural, "pagination"}, first.keys()
    pagination = first["pagination"]
    assert set(pagination) == PAGINATION_KEYS, pagination
    assert pagination["page"] == 1
    assert pagination["per_page"] == 50  # the default
    assert pagination["total"] >= 2
    _datetimes_are_utc_z(first)
    assert all(isinstance(item["id"], int) for item in first[listed.plural])

    clamped = ok(api.get(_with(path, per_page=500)))["pagination"]
    assert clamped["per_page"] == 100  # larger is clamped, not refused

    total = pagination["total"]
    one = ok(api.get(_with(path, per_page=1)))
    assert len(one[listed.plural]) == 1
    assert one["pagination"] == {
        "page": 1,
        "per_page": 1,
        "total": total,
        "pages": total,
        "has_next": True,
        "has_prev": False,
        "next_page": 2,
        "prev_page": None,
    }
    last = ok(api.get(_with(path, per_page=1, page=total)))
    assert last["pagination"]["has_next"] is False
    assert last["pagination"]["next_page"] is None
    assert last["pagination"]["has_prev"] is True
    assert last["pagination"]["prev_page"] == total - 1
    beyond = ok(api.get(_with(path, per_page=1, page=total + 1)))
    assert beyond[listed.plural] == []
    # Stable order: page 1 and page 2 of size 1 are the first two of the full list.
    second = ok(api.get(_with(path, per_page=1, page=2)))[listed.plural]
    both = ok(api.get(_with(path, per_page=2)))[listed.plural]
    assert [item["id"] for item in both] == [one[listed.plural][0]["id"], second[0]["id"]]

    # docs/api.md §5: a single resource comes wrapped in its singular name.
    if listed.singular is not None:
        item = one[listed.plural][0]
        single = ok(api.get(f"{path.split('?')[0]}/{item['id']}"))
        assert set(single) == {listed.singular}, single.keys()
        assert single[listed.singular]["id"] == item["id"]
        _datetimes_are_utc_z(single)


def test_naive_datetimes_are_utc_and_offsets_are_converted(user: User) -> None:
    project = booking(user.api).project
    made = created(
        user.api.post(
            "/api/v1/time-entries",
            json={
                "project_id": project["id"],
                "start_time": "2024-01-15T09:00:00+02:00",
                "end_time": "2024-01-15T10:30:00",
            },
        ),
        "time_entry",
    )
    assert made["start_time"] == "2024-01-15T07:00:00Z"
    assert made["end_time"] == "2024-01-15T10:30:00Z"
    assert made["duration_seconds"] == 3.5 * 3600
    assert is_utc_z(made["created_at"])
    assert is_utc_z(made["updated_at"])
