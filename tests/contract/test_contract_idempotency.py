"""docs/api.md §5 (Idempotency-Key) on every v1 POST that creates, on every service that has
one, through the gateway: the same key and body replay the first answer with
``Idempotent-Replayed: true`` and create nothing more; another body is 422
``idempotency_key_reused``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from contractkit import booking, entry, error

from support.api import User, unique

# path and body of one create, given the user's client (it may create what they need).
Create = Callable[[httpx.Client], tuple[str, dict[str, Any]]]


def _entry(api: httpx.Client) -> tuple[str, dict[str, Any]]:
    project = booking(api).project
    body = {
        "project_id": project["id"],
        "start_time": "2024-01-15T09:00:00Z",
        "end_time": "2024-01-15T10:00:00Z",
    }
    return "/api/v1/time-entries", body


def _contact(api: httpx.Client) -> tuple[str, dict[str, Any]]:
    client = booking(api).client
    return f"/api/v1/clients/{client['id']}/contacts", {"first_name": "Ada", "last_name": "L"}


def _approval(api: httpx.Client) -> tuple[str, dict[str, Any]]:
    made = entry(api, booking(api).project["id"])
    return "/api/v1/time-entry-approvals", {"entry_ids": [made["id"]]}


CREATES: dict[str, Create] = {
    "time-entries": _entry,
    "clients": lambda api: ("/api/v1/clients", {"name": unique("Client ")}),
    "projects": lambda api: ("/api/v1/projects", {"name": unique("Project ")}),
    "tasks": lambda api: (
        "/api/v1/tasks",
        {"name": unique("Task "), "project_id": booking(api).project["id"]},
    ),
    "contacts": _contact,
    "deals": lambda api: ("/api/v1/deals", {"name": unique("Deal ")}),
    "leads": lambda api: ("/api/v1/leads", {"first_name": "Lee", "last_name": unique()}),
    "approvals": _approval,
    "webhooks": lambda api: (
        "/api/v1/webhooks",
        {"url": "http://127.0.0.1:9/hook", "events": ["tt.project.*"]},
    ),
}


# A field each create accepts, with a value that makes the body another one.
CHANGED: dict[str, tuple[str, Any]] = {
    "time-entries": ("notes", "changed"),
    "clients": ("email", "changed@example.test"),
    "projects": ("description", "changed"),
    "tasks": ("description", "changed"),
    "contacts": ("email", "changed@example.test"),
    "deals": ("description", "changed"),
    "leads": ("email", "changed@example.test"),
    "approvals": ("comment", "changed"),
    "webhooks": ("url", "http://127.0.0.1:10/hook"),
}


@pytest.mark.parametrize("name", list(CREATES))
def test_every_create_replays_its_first_answer_for_the_same_key(user: User, name: str) -> None:
    path, body = CREATES[name](user.api)
    key = {"Idempotency-Key": unique("retry-")}
    first = user.api.post(path, json=body, headers=key)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    again = user.api.post(path, json=body, headers=key)
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content  # the same resource, not a second one
    other = {**body, CHANGED[name][0]: CHANGED[name][1]}
    error(user.api.post(path, json=other, headers=key), 422, "idempotency_key_reused")
    if name == "webhooks":  # no subscription is left behind
        hook = first.json()["webhook"]["id"]
        assert user.api.delete(f"/api/v1/webhooks/{hook}").status_code == 200
