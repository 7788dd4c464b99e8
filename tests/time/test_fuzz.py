"""No input makes the time service answer 500: random JSON bodies (right keys, wrong and
odd values) on the entry, timer and catalogue routes get a 2xx or a 4xx with the error
body, never a server error."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from timekit import create_project

from support.api import User

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["2024-01-15T09:00:00Z", "2024-01-15", "9999-12-31T23:59:59", "\x00", "1",
                     "2024-01-15T17:00:00+14:00", "-1", "true", "2024-02-30T00:00:00Z"]),
)  # fmt: skip
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(max_size=5), inner, max_size=3), max_leaves=6)  # fmt: skip
ENTRY_KEYS = ["project_id", "task_id", "client_id", "start_time", "end_time", "notes", "tags",
              "billable", "paid", "break_seconds", "user_id", "invoice_number",
              "allow_long_duration", "if_updated_at"]  # fmt: skip
CATALOGUE_KEYS = ["name", "project_id", "client_id", "status", "priority", "due_date",
                  "hourly_rate", "default_hourly_rate", "estimated_hours", "currency", "email",
                  "custom_fields", "code", "color", "tags", "assignee_id"]  # fmt: skip


def bodies(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(keys), values, max_size=6)


def no_server_error(response: Any) -> None:
    assert response.status_code < 500, (response.status_code, response.text)
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body["error"], str)
        assert isinstance(body["error_code"], str)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies(ENTRY_KEYS))
def test_entry_bodies(user: User, body: dict[str, Any]) -> None:
    no_server_error(user.api.post("/api/v1/time-entries", json=body))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies(CATALOGUE_KEYS), path=st.sampled_from(["clients", "projects", "tasks"]))
def test_catalogue_bodies(user: User, body: dict[str, Any], path: str) -> None:
    no_server_error(user.api.post(f"/api/v1/{path}", json=body))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(
        st.sampled_from(["project_id", "user_id", "start_date", "end_date", "billable",
                         "include_active", "page", "per_page", "status", "client_id"]),
        st.text(max_size=12), max_size=4),
    path=st.sampled_from(["time-entries", "projects", "tasks", "clients"]),
)  # fmt: skip
def test_list_queries(user: User, params: dict[str, str], path: str) -> None:
    no_server_error(user.api.get(f"/api/v1/{path}", params=params))


def test_updates_with_odd_values(user: User) -> None:
    project = create_project(user.api)
    entry = user.api.post(
        "/api/v1/time-entries",
        json={"project_id": project["id"], "start_time": "2024-01-15T09:00:00Z",
              "end_time": "2024-01-15T10:00:00Z"},
    ).json()["time_entry"]  # fmt: skip
    for body in ({"end_time": 0}, {"break_seconds": 2**40}, {"task_id": -1}, {"notes": ["x"]},
                 {"start_time": "2024-01-15T11:00:00Z"}, {"project_id": None, "client_id": None},
                 {"if_updated_at": "2024-01-01T00:00:00Z"}):  # fmt: skip
        no_server_error(user.api.patch(f"/api/v1/time-entries/{entry['id']}", json=body))
