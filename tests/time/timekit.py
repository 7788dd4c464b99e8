"""Helpers for the time-service tests: creating what entries are booked on, reading the
events the service published, and calling the service's own port with a minted identity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from support.api import TIMEOUT, mint_identity, unique
from support.kafka import end_offsets, read_events
from support.platform import PlatformInfo
from tt.common.events import Event

ENTRY_KEYS = {
    "id", "user_id", "user", "project_id", "project", "client_id", "client", "task_id", "task",
    "start_time", "end_time", "duration_seconds", "break_seconds", "paused_at", "duration_hours",
    "duration_formatted", "notes", "tags", "tag_list", "source", "billable", "paid",
    "invoice_number", "is_active", "created_at", "updated_at",
}  # fmt: skip
PAGINATION_KEYS = {
    "page", "per_page", "total", "pages", "has_next", "has_prev", "next_page", "prev_page",
}  # fmt: skip


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    body: dict[str, Any] = response.json()
    return body


def every(api: httpx.Client, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a list, page by page (clients and projects are shared by all tests)."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        body = ok(api.get(path, params={**params, "page": page, "per_page": 100}))
        items += body[key]
        if not body["pagination"]["has_next"]:
            return items
        page += 1


def create_client(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = ok(api.post("/api/v1/clients", json={"name": unique("Client "), **fields}), 201)
    return dict(body["client"])


def create_project(
    api: httpx.Client, client_id: int | None = None, **fields: Any
) -> dict[str, Any]:
    if client_id is None:
        client_id = create_client(api)["id"]
    payload = {"name": unique("Project "), "client_id": client_id, **fields}
    return dict(ok(api.post("/api/v1/projects", json=payload), 201)["project"])


def create_task(api: httpx.Client, project_id: int, **fields: Any) -> dict[str, Any]:
    payload = {"name": unique("Task "), "project_id": project_id, **fields}
    return dict(ok(api.post("/api/v1/tasks", json=payload), 201)["task"])


def create_entry(
    api: httpx.Client,
    project_id: int,
    start: str = "2024-01-15T09:00:00Z",
    end: str | None = "2024-01-15T17:00:00Z",
    **fields: Any,
) -> dict[str, Any]:
    payload = {"project_id": project_id, "start_time": start, **fields}
    if end is not None:
        payload["end_time"] = end
    return dict(ok(api.post("/api/v1/time-entries", json=payload), 201)["time_entry"])


def day(n: int, hour: int = 9) -> str:
    """An ISO instant on day ``n`` of March 2024 (for entries ordered by day)."""
    return f"2024-03-{n:02d}T{hour:02d}:00:00Z"


@dataclass
class Booking:
    """A fresh client, project and task to book entries on."""

    client: dict[str, Any]
    project: dict[str, Any]
    task: dict[str, Any]


def booking(api: httpx.Client) -> Booking:
    client = create_client(api)
    project = create_project(api, client["id"])
    return Booking(client, project, create_task(api, project["id"]))


class EventLog:
    """Events published to one topic from the moment it was opened."""

    def __init__(self, platform: PlatformInfo, topic: str) -> None:
        self.bootstrap = platform.kafka_bootstrap
        self.topic = topic
        self.since = end_offsets(self.bootstrap, topic)

    def of(self, subject: int | str, count: int, timeout: float = 15.0) -> list[Event]:
        """The events of one entity, waiting until ``count`` arrived (and a moment for any
        extra one, so tests can assert there are exactly ``count``)."""
        key = str(subject)

        def enough(events: list[Event]) -> bool:
            return sum(e.subject == key for e in events) >= count

        found = read_events(
            self.bootstrap, self.topic, since=self.since, until=enough, timeout=timeout
        )
        mine = [e for e in found if e.subject == key]
        assert len(mine) >= count, f"expected {count} events for {key}, got {len(mine)}"
        # Extra events, if any, would come right behind: read to the end once more.
        everything = read_events(self.bootstrap, self.topic, since=self.since, timeout=3.0)
        return [e for e in everything if e.subject == key]

    def none_for(self, predicate: Any, settle: float = 2.0) -> None:
        """No event matching ``predicate`` arrived (waits ``settle`` seconds for one)."""
        found = read_events(
            self.bootstrap,
            self.topic,
            since=self.since,
            until=lambda events: any(predicate(e) for e in events),
            timeout=settle,
        )
        matching = [e for e in found if predicate(e)]
        assert not matching, matching


class Direct:
    """Calls straight to the time service's port with a minted ``X-TT-Identity``."""

    def __init__(self, platform: PlatformInfo) -> None:
        self.url = platform.service_url("time")
        self.key = platform.secrets["identity_private_key"]
        self.http = httpx.Client(base_url=self.url, timeout=TIMEOUT)

    def identity(self, **claims: Any) -> dict[str, str]:
        return {"X-TT-Identity": mint_identity(self.key, **claims)}
