"""The TimeTrack Enterprise entry API (seed 004, docs/api.md §6) through the
gateway, with key/secret pairs issued by auth: the same entries as v1, both ways."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from timekit import booking, create_entry, create_task, ok

from support.api import TIMEOUT, User, Users, assert_error

PATH = "/api/v2/ext/project_time_entries"
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
FIELDS = {
    "ID", "user", "clientName", "projectName", "task", "hourRate", "latitude", "longitude",
    "latitude1", "longitude1", "billable", "flatRate", "details", "tags", "from", "to",
    "workedMinutes", "breakMinutes",
}  # fmt: skip


def key_client(users: Users, user: User) -> httpx.Client:
    """A TimeTrack client for ``user``: a key/secret pair from auth's admin API."""
    issued = ok(users.admin.post("/api/v1/admin/timetrack-keys", json={"user_id": user.id}), 201)
    headers = {
        "X-TimeTrack-Api-Key": issued["timetrack_key"]["api_key"],
        "X-TimeTrack-Api-Secret": issued["api_secret"],
    }
    return httpx.Client(base_url=users.base_url, headers=headers, timeout=TIMEOUT)


@pytest.fixture
def tt(users: Users, user: User) -> Iterator[httpx.Client]:
    with key_client(users, user) as client:
        yield client


def test_an_entry_created_here_is_in_v1_with_the_same_times(tt: httpx.Client, user: User) -> None:
    b = booking(user.api)
    created = ok(
        tt.post(
            PATH,
            json={
                "username": user.username,
                "from": "2020-10-20T10:00:00.000Z",
                "to": "2020-10-20T14:00:00.000Z",
                "clientName": b.client["name"],
                "projectName": b.project["name"],
                "task": b.task["name"],
                "hourRate": 50,
                "breakMinutes": 15,
                "details": "This is one test note",
                "tags": "#api #test",
                "latitude": "47.3769",
                "longitude": 8.5417,
                "flatRate": True,
            },
        ),
        201,
    )
    assert set(created) == FIELDS
    assert created["from"] == "2020-10-20T10:00:00.000Z"
    assert created["to"] == "2020-10-20T14:00:00.000Z"
    assert (created["workedMinutes"], created["breakMinutes"]) == (225, 15)
    assert (created["user"], created["clientName"]) == (user.username, b.client["name"])
    assert (created["projectName"], created["task"]) == (b.project["name"], b.task["name"])
    assert (created["hourRate"], created["flatRate"], created["billable"]) == (50.0, True, True)
    assert (created["latitude"], created["longitude"]) == ("47.3769", "8.5417")
    assert (created["details"], created["tags"]) == ("This is one test note", "#api #test")

    v1 = ok(user.api.get(f"/api/v1/time-entries/{created['ID']}"))["time_entry"]
    assert v1["start_time"] == "2020-10-20T10:00:00Z"
    assert v1["end_time"] == "2020-10-20T14:00:00Z"
    assert (v1["break_seconds"], v1["duration_seconds"]) == (900, 13_500)
    assert (v1["project_id"], v1["task_id"], v1["client_id"]) == (
        b.project["id"],
        b.task["id"],
        b.client["id"],
    )
    assert (v1["notes"], v1["tags"], v1["user_id"]) == (
        "This is one test note",
        "api,test",
        user.id,
    )
    assert ok(tt.get(f"{PATH}/{created['ID']}")) == created


def test_an_entry_created_in_v1_is_in_the_list(tt: httpx.Client, user: User) -> None:
    b = booking(user.api)
    entry = create_entry(
        user.api,
        b.project["id"],
        start="2020-10-21T08:00:00Z",
        end="2020-10-21T09:30:00Z",
        task_id=b.task["id"],
        notes="from v1",
        tags="x,y",
        billable=False,
    )
    listed = tt.get(PATH)
    assert listed.status_code == 200
    assert listed.headers["content-type"].startswith("application/json")
    [item] = [i for i in listed.json() if i["ID"] == entry["id"]]
    assert item == {
        "ID": entry["id"],
        "user": user.username,
        "clientName": b.client["name"],
        "projectName": b.project["name"],
        "task": b.task["name"],
        "hourRate": None,
        "latitude": None,
        "longitude": None,
        "latitude1": None,
        "longitude1": None,
        "billable": False,
        "flatRate": False,
        "details": "from v1",
        "tags": "#x #y",
        "from": "2020-10-21T08:00:00.000Z",
        "to": "2020-10-21T09:30:00.000Z",
        "workedMinutes": 90,
        "breakMinutes": 0,
    }
    # The seed's examples end the path with a slash.
    assert [i["ID"] for i in ok_list(tt.get(PATH + "/"))] == [i["ID"] for i in listed.json()]


def ok_list(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


def test_missing_required_fields_are_400_with_field_errors(tt: httpx.Client) -> None:
    for path in (PATH, PATH + "/"):
        body = assert_error(tt.post(path, json={}), 400, "validation_error")
        assert set(body["errors"]) == {"clientName", "projectName", "user", "from", "to"}
    some = assert_error(
        tt.post(PATH, json={"user": "x", "from": "2020-10-20T10:00:00.000Z"}),
        400,
        "validation_error",
    )
    assert set(some["errors"]) == {"clientName", "projectName", "to"}


def test_names_that_match_nothing_and_bad_values(tt: httpx.Client, user: User) -> None:
    b = booking(user.api)
    base = {
        "user": user.username,
        "clientName": b.client["name"],
        "projectName": b.project["name"],
        "from": "2020-10-20T10:00:00.000Z",
        "to": "2020-10-20T14:00:00.000Z",
    }

    def error(**changes: Any) -> dict[str, list[str]]:
        answer = assert_error(tt.post(PATH, json={**base, **changes}), 400, "validation_error")
        errors: dict[str, list[str]] = answer["errors"]
        return errors

    assert list(error(clientName="No such client")) == ["clientName"]
    assert list(error(projectName="No such project")) == ["projectName"]
    assert list(error(task="No such task")) == ["task"]
    assert list(error(to="2020-10-20T09:00:00.000Z")) == ["to"]
    assert list(error(**{"from": "20.10.2020"})) == ["from"]
    assert list(error(latitude="north")) == ["latitude"]
    assert list(error(longitude1=200)) == ["longitude1"]
    assert list(error(breakMinutes=-5)) == ["breakMinutes"]
    assert list(error(workedMinutes=500)) == ["workedMinutes"]
    assert list(error(hourRate="lots")) == ["hourRate"]
    # Names match case-insensitively; workedMinutes alone sets the break.
    fine = ok(
        tt.post(
            PATH,
            json={**base, "clientName": b.client["name"].upper(), "workedMinutes": 200},
        ),
        201,
    )
    assert (fine["workedMinutes"], fine["breakMinutes"]) == (200, 40)


def test_update_changes_all_but_client_project_and_user(tt: httpx.Client, user: User) -> None:
    b = booking(user.api)
    other_task = create_task(user.api, b.project["id"])
    entry = create_entry(
        user.api, b.project["id"], start="2020-10-20T10:00:00Z", end="2020-10-20T12:00:00Z"
    )
    path = f"{PATH}/{entry['id']}"
    updated = ok(
        tt.put(
            path,
            json={
                "hourRate": 35.5,
                "notes": "Test note for API",
                "to": "2020-10-20T13:00:00.000Z",
                "task": other_task["name"],
                "breakMinutes": 30,
                "clientName": b.client["name"],  # the same value is fine
            },
        )
    )
    assert (updated["hourRate"], updated["details"], updated["task"]) == (
        35.5,
        "Test note for API",
        other_task["name"],
    )
    assert (updated["to"], updated["workedMinutes"], updated["breakMinutes"]) == (
        "2020-10-20T13:00:00.000Z",
        150,
        30,
    )
    v1 = ok(user.api.get(f"/api/v1/time-entries/{entry['id']}"))["time_entry"]
    assert (v1["end_time"], v1["notes"], v1["task_id"]) == (
        "2020-10-20T13:00:00Z",
        "Test note for API",
        other_task["id"],
    )
    for field in ("clientName", "projectName", "user"):
        refused = assert_error(
            tt.put(path, json={field: "Something else"}), 400, "validation_error"
        )
        assert list(refused["errors"]) == [field]
    assert_error(tt.put(path, json={"to": "2020-10-20T09:00:00.000Z"}), 400, "validation_error")
    assert ok(tt.get(path)) == updated


def test_delete_is_204_and_the_entry_is_gone_from_v1(tt: httpx.Client, user: User) -> None:
    b = booking(user.api)
    entry = create_entry(user.api, b.project["id"])
    deleted = tt.delete(f"{PATH}/{entry['id']}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert_error(user.api.get(f"/api/v1/time-entries/{entry['id']}"), 404, "not_found")
    assert_error(tt.get(f"{PATH}/{entry['id']}"), 404, "not_found")
    assert_error(tt.delete(f"{PATH}/{entry['id']}"), 404, "not_found")


def test_list_filters(users: Users, tt: httpx.Client, user: User) -> None:
    one, two = booking(user.api), booking(user.api)
    a = create_entry(
        user.api, one.project["id"], start="2020-10-02T09:00:00Z", end="2020-10-02T10:00:00Z"
    )
    b = create_entry(
        user.api, two.project["id"], start="2020-10-15T09:00:00Z", end="2020-10-15T10:00:00Z"
    )
    c = create_entry(
        user.api, one.project["id"], start="2020-11-02T09:00:00Z", end="2020-11-02T10:00:00Z"
    )

    def ids(**params: str) -> list[int]:
        return [i["ID"] for i in ok_list(tt.get(PATH, params=params))]

    assert ids() == [a["id"], b["id"], c["id"]]  # oldest first
    assert ids(clientName=one.client["name"]) == [a["id"], c["id"]]
    assert ids(projectName=two.project["name"].lower()) == [b["id"]]
    window = {"from": "2020-10-01T00:00:00.000Z", "to": "2020-10-23T23:59:59.999Z"}
    assert ids(**window) == [a["id"], b["id"]]
    assert ids(username=user.username, **window) == [a["id"], b["id"]]
    assert ids(user=user.username, clientName=two.client["name"]) == [b["id"]]
    assert_error(tt.get(PATH, params={"from": "October"}), 400, "validation_error")
    # Running timers are not project time entries yet.
    ok(user.api.post("/api/v1/timer/start", json={"project_id": one.project["id"]}), 201)
    assert len(ids()) == 3
    # A key sees its own user's entries; another user's are 403 to ask for.
    other = users.create()
    with key_client(users, other) as theirs:
        assert ok_list(theirs.get(PATH)) == []
        assert_error(theirs.get(PATH, params={"user": user.username}), 403, "forbidden")
        assert_error(theirs.get(f"{PATH}/{a['id']}"), 404, "not_found")
        assert_error(theirs.delete(f"{PATH}/{a['id']}"), 404, "not_found")


def test_an_admin_key_books_for_any_user_others_for_themselves(users: Users, user: User) -> None:
    b = booking(user.api)
    body = {
        "user": user.username,
        "clientName": b.client["name"],
        "projectName": b.project["name"],
        "from": "2020-10-20T10:00:00.000Z",
        "to": "2020-10-20T11:00:00.000Z",
    }
    other = users.create()
    with key_client(users, other) as theirs:
        assert_error(theirs.post(PATH, json=body), 403, "forbidden")
    admin = users.create(is_admin=True)
    with key_client(users, admin) as boss:
        created = ok(boss.post(PATH, json=body), 201)
        assert created["user"] == user.username
        listed = ok_list(boss.get(PATH, params={"user": user.username}))
        assert created["ID"] in [i["ID"] for i in listed]
        unknown = assert_error(
            boss.post(PATH, json={**body, "user": "nobody-at-all"}), 400, "validation_error"
        )
        assert list(unknown["errors"]) == ["user"]
    v1 = ok(user.api.get(f"/api/v1/time-entries/{created['ID']}"))["time_entry"]
    assert v1["user_id"] == user.id


def test_timestamps_are_written_with_milliseconds(tt: httpx.Client, user: User) -> None:
    b = booking(user.api)
    create_entry(
        user.api, b.project["id"], start="2021-01-01T10:00:00.123456Z", end="2021-01-01T11:00:00Z"
    )
    [item] = ok_list(tt.get(PATH))
    assert item["from"] == "2021-01-01T10:00:00.123Z"
    assert STAMP.match(item["to"])


def test_only_timetrack_keys_reach_it(users: Users, user: User, tt: httpx.Client) -> None:
    assert_error(user.api.get(PATH), 401, "unauthorized")
    assert_error(httpx.get(users.base_url + PATH, timeout=TIMEOUT), 401, "unauthorized")
    wrong = httpx.get(
        users.base_url + PATH,
        headers={**tt.headers, "X-TimeTrack-Api-Secret": "x" * 40},
        timeout=TIMEOUT,
    )
    assert_error(wrong, 401, "unauthorized")
    # And keys do not reach v1.
    assert_error(tt.get("/api/v1/time-entries"), 401, "unauthorized")
