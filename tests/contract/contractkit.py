"""Helpers for the contract audit (docs/api.md read clause by clause, through the gateway):
things to book on, the documented route table, and the error-body check."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from support.api import assert_error, unique

PAGINATION_KEYS = {
    "page", "per_page", "total", "pages", "has_next", "has_prev", "next_page", "prev_page",
}  # fmt: skip
# "responses are UTC with Z" (docs/api.md §5), with or without fractions of a second.
UTC_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, (response.url, response.status_code, response.text)
    body: dict[str, Any] = response.json()
    return body


def created(response: httpx.Response, singular: str) -> dict[str, Any]:
    """docs/api.md §5: a create answers 201 with the resource wrapped in its singular name and
    a ``message``; ids are integers."""
    body = ok(response, 201)
    assert isinstance(body["message"], str), body
    assert body["message"], body
    item: dict[str, Any] = body[singular]
    assert isinstance(item["id"], int), item
    return item


def error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """docs/api.md §2: a JSON error body with ``error``, ``message`` and ``error_code``."""
    assert response.headers.get("content-type", "").startswith("application/json"), (
        response.status_code,
        response.headers.get("content-type"),
        response.text[:200],
    )
    body = assert_error(response, status, code)
    if code == "validation_error":
        assert isinstance(body["errors"], dict), body
        assert all(isinstance(v, list) and v for v in body["errors"].values()), body
    return body


def is_utc_z(value: Any) -> bool:
    if not isinstance(value, str) or not UTC_Z.match(value):
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


@dataclass
class Booking:
    client: dict[str, Any]
    project: dict[str, Any]
    task: dict[str, Any]


def booking(api: httpx.Client) -> Booking:
    """A client, a project of it and a task of that project, created by ``api``."""
    client = created(api.post("/api/v1/clients", json={"name": unique("Client ")}), "client")
    project = created(
        api.post("/api/v1/projects", json={"name": unique("Project "), "client_id": client["id"]}),
        "project",
    )
    task = created(
        api.post("/api/v1/tasks", json={"name": unique("Task "), "project_id": project["id"]}),
        "task",
    )
    return Booking(client, project, task)


def entry(api: httpx.Client, project_id: int, day: int = 15, **fields: Any) -> dict[str, Any]:
    """A finished one-hour entry on 2024-01-<day>."""
    body = {
        "project_id": project_id,
        "start_time": f"2024-01-{day:02d}T09:00:00Z",
        "end_time": f"2024-01-{day:02d}T10:00:00Z",
        **fields,
    }
    return created(api.post("/api/v1/time-entries", json=body), "time_entry")
