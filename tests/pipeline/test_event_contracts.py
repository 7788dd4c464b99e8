"""Typed event contracts: every event a producer puts on a topic has a declared type whose
model its state validates against, and a producer cannot emit a state off its contract."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from support.api import Users
from support.kafka import end_offsets, read_events
from support.platform import PlatformInfo
from tt.common.contracts import InvalidEventState, all_event_types
from tt.common.contracts import auth as auth_contracts
from tt.common.contracts import time as time_contracts
from tt.common.contracts.auth import USER_CREATED
from tt.common.contracts.time import TIME_ENTRY, TIME_ENTRY_CREATED, TimeEntryState
from tt.common.events import Event, make_event
from tt.common.outbox import Outbox
from tt.common.publisher import Publisher as CommonPublisher
from tt.common.topics import Catalogue
from tt.time.publishers import Publisher

TOPICS = [
    "tt.auth.users",
    "tt.auth.tokens",
    "tt.time.clients",
    "tt.time.projects",
    "tt.time.tasks",
    "tt.time.entries",
]


# How many events of this test's own entities each topic gets (at least).
EXPECTED = {
    "tt.auth.users": 1,
    "tt.auth.tokens": 1,
    "tt.time.clients": 1,
    "tt.time.projects": 1,
    "tt.time.tasks": 2,
    "tt.time.entries": 3,
}


def _api(platform: PlatformInfo, method: str, path: str, body: Any = None) -> dict[str, Any]:
    answer = httpx.request(
        method,
        f"{platform.gateway_url}{path}",
        json=body,
        headers={"Authorization": f"Bearer {platform.admin_token}"},
        timeout=10,
    )
    assert answer.status_code < 300, (path, answer.status_code, answer.text)
    return answer.json() if answer.content else {}


def test_every_event_on_the_topics_has_a_contract_and_validates(
    platform: PlatformInfo, users: Users
) -> None:
    since = {topic: end_offsets(platform.kafka_bootstrap, topic) for topic in TOPICS}
    # Changes of every kind through the API, so the topics hold each producer's events.
    owner = users.create()  # tt.user.created, tt.api_token.created
    client = _api(platform, "POST", "/api/v1/clients", {"name": "Contract client"})["client"]
    project = _api(
        platform,
        "POST",
        "/api/v1/projects",
        {"name": "Contract project", "client_id": client["id"], "hourly_rate": 90},
    )["project"]
    task = _api(platform, "POST", "/api/v1/tasks", {"name": "T", "project_id": project["id"]})
    start = datetime.now(UTC) - timedelta(hours=3)
    entry = _api(
        platform,
        "POST",
        "/api/v1/time-entries",
        {
            "project_id": project["id"],
            "start_time": start.isoformat(),
            "end_time": (start + timedelta(hours=1)).isoformat(),
            "notes": "contracts",
        },
    )["time_entry"]
    _api(platform, "PUT", f"/api/v1/time-entries/{entry['id']}", {"notes": "changed"})
    _api(platform, "DELETE", f"/api/v1/time-entries/{entry['id']}")
    _api(platform, "DELETE", f"/api/v1/tasks/{task['task']['id']}")
    ours = {
        "tt.auth.users": {str(owner.id)},
        "tt.auth.tokens": {str(owner.token_id)},
        "tt.time.clients": {str(client["id"])},
        "tt.time.projects": {str(project["id"])},
        "tt.time.tasks": {str(task["task"]["id"])},
        "tt.time.entries": {str(entry["id"])},
    }

    expected = {
        "tt.auth.users": {"tt.user.created"},
        "tt.auth.tokens": {"tt.api_token.created"},
        "tt.time.clients": {"tt.client.created"},
        "tt.time.projects": {"tt.project.created"},
        "tt.time.tasks": {"tt.task.created", "tt.task.deleted"},
        "tt.time.entries": {
            "tt.time_entry.created",
            "tt.time_entry.updated",
            "tt.time_entry.deleted",
        },
    }
    registry = all_event_types()
    seen: set[str] = set()
    for topic in TOPICS:
        # Only the events of what this test changed: other tests put synthetic ones here.
        events = read_events(
            platform.kafka_bootstrap,
            topic,
            since=since[topic],
            # Until the last of our changes is there: a task's deletion can be relayed in
            # a later batch than its creation.
            until=lambda found, topic=topic: (
                {e.type for e in found if e.subject in ours[topic]} >= expected[topic]
            ),
            timeout=30,
        )
        for event in events:
            if event.subject not in ours[topic]:
                continue
            contract = registry.get(event.type)
            assert contract is not None, f"{event.type} on {topic} has no contract"
            assert contract.entity.topic == topic, f"{event.type} is not a {topic} type"
            contract.validate(event.state)
            seen.add(event.type)
    assert set().union(*expected.values()) <= seen


def test_every_event_type_is_spelled_out_where_it_is_declared() -> None:
    # A grep for an event type finds its declaration, whose constant finds its producers.
    sources = {
        module.__name__: inspect.getsource(module) for module in (auth_contracts, time_contracts)
    }
    for name, event_type in all_event_types().items():
        assert name == f"tt.{event_type.entity.name}.{event_type.verb}"
        assert any(f'"{name}"' in source for source in sources.values()), name
    with pytest.raises(ValueError, match="not an event type of time_entry"):
        TIME_ENTRY.event_type("tt.project.created", "the wrong entity")


def _entry_view() -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "id": 1, "user_id": 2, "user": "u", "project_id": None, "project": None,
        "client_id": None, "client": None, "task_id": None, "task": None,
        "start_time": now, "end_time": None, "duration_seconds": None, "break_seconds": 0,
        "paused_at": None, "notes": "", "tags": "", "billable": True, "paid": False,
        "source": "manual", "is_active": True, "approval_status": None,
        "created_at": now, "updated_at": now,
    }  # fmt: skip


def test_a_producer_cannot_emit_a_state_off_its_contract() -> None:
    outbox = Outbox(Catalogue(topics=(), dlq_partitions=1, dlq_config={}), source="/tt/test")
    time_events = Publisher(outbox)
    good = time_events.event(TIME_ENTRY_CREATED, version=1, view=_entry_view())
    assert good.type == "tt.time_entry.created"
    with pytest.raises(InvalidEventState, match="user_id"):
        time_events.event(TIME_ENTRY_CREATED, version=1, view={**_entry_view(), "user_id": "bob"})
    with pytest.raises(InvalidEventState, match="start_time"):
        time_events.event(TIME_ENTRY_CREATED, version=1, view={**_entry_view(), "start_time": None})
    auth_events = CommonPublisher(outbox)
    with pytest.raises(InvalidEventState, match="password_hash"):
        auth_events.event(
            USER_CREATED,
            entity_id=1,
            version=1,
            state={
                "id": 1,
                "username": "u",
                "email": None,
                "full_name": None,
                "is_admin": False,
                "is_active": True,
                "timezone": "UTC",
                "role": "user",
                "default_hourly_rate": None,
                "created_at": None,
                "updated_at": None,
                "password_hash": "secret",
            },
        )


def _wire_entry(**changes: Any) -> Event:
    """An entry event as it comes off the wire (not built through the contract)."""
    state = {**_entry_view(), "start_time": "2026-03-01T09:00:00", "end_time": None, **changes}
    return make_event(
        source="/tt/time", entity="time_entry", verb="created", entity_id=1, version=1, state=state
    )


def test_a_consumer_reads_a_state_through_the_same_model() -> None:
    entry = TIME_ENTRY.read(_wire_entry())
    assert isinstance(entry, TimeEntryState)
    # Typed, and a datetime without an offset is UTC (docs/events.md).
    assert entry.start_time == datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert entry.user_id == 2
    assert entry.end_time is None
    # A field a newer producer adds is ignored by the reader, not a poison event.
    assert TIME_ENTRY.read(_wire_entry(mood="happy")).notes == ""
    # A state off the contract is refused with the field's name (the consumer's DLQ).
    for bad in ({"user_id": "bob"}, {"user_id": 2**63}, {"start_time": "soon"}):
        with pytest.raises(InvalidEventState, match=next(iter(bad))):
            TIME_ENTRY.read(_wire_entry(**bad))
