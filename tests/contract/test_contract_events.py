"""docs/api.md §7 (events) read raw from Kafka, as a subscriber in another language would:
one topic per entity keyed by the entity id, CloudEvents 1.0 structured JSON whose
``type`` is ``tt.<entity>.<verb>``, ``subject`` the id, ``data`` exactly
``{"version": n, "<entity>": {...}}``, and ``traceparent`` both as an extension attribute
and as a Kafka header (of the same trace)."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from contractkit import booking, entry, is_utc_z

from support.api import User, Users, wait_until
from support.kafka import end_offsets, read_events
from support.platform import PlatformInfo

TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")
ENVELOPE = {
    "specversion", "id", "source", "type", "subject", "time", "datacontenttype", "traceparent",
    "data",
}  # fmt: skip


def _records(platform: PlatformInfo, topic: str, since: dict[int, int], subject: str) -> Any:
    """The raw (key, value, headers) records of one entity, once its created event is in."""

    def created() -> list[tuple[bytes, bytes, Any]] | None:
        raw = read_events(platform.kafka_bootstrap, topic, since=since, raw=True, timeout=3.0)
        mine = [r for r in raw if r[1] is not None and json.loads(r[1])["subject"] == subject]
        return mine or None

    return wait_until(created, timeout=20, what=f"the created event of {subject} on {topic}")


def test_every_topic_carries_cloudevents_keyed_by_entity_with_traceparent(
    platform: PlatformInfo, users: Users, user: User, admin_api: httpx.Client
) -> None:
    topics = {
        "tt.auth.users": "user",
        "tt.auth.tokens": "api_token",
        "tt.time.clients": "client",
        "tt.time.projects": "project",
        "tt.time.tasks": "task",
        "tt.time.entries": "time_entry",
        "tt.time.approvals": "approval",
    }
    since = {topic: end_offsets(platform.kafka_bootstrap, topic) for topic in topics}

    person = users.create()
    b = booking(user.api)
    made = entry(user.api, b.project["id"])
    approval = user.api.post("/api/v1/time-entry-approvals", json={"entry_ids": [made["id"]]})
    assert approval.status_code == 201, approval.text
    subjects = {
        "tt.auth.users": person.id,
        "tt.auth.tokens": person.token_id,
        "tt.time.clients": b.client["id"],
        "tt.time.projects": b.project["id"],
        "tt.time.tasks": b.task["id"],
        "tt.time.entries": made["id"],
        "tt.time.approvals": approval.json()["approval"]["id"],
    }

    for topic, entity in topics.items():
        subject = str(subjects[topic])
        key, value, headers = _records(platform, topic, since[topic], subject)[0]
        assert key == subject.encode(), (topic, key)  # keyed by entity id
        event = json.loads(value)
        assert set(event) == ENVELOPE, (topic, set(event) ^ ENVELOPE)
        assert event["specversion"] == "1.0"
        assert event["type"] == f"tt.{entity}.created", event["type"]
        assert event["subject"] == subject
        assert event["datacontenttype"] == "application/json"
        assert event["source"].startswith("/tt/")
        assert event["id"]
        assert is_utc_z(event["time"]), event["time"]
        assert set(event["data"]) == {"version", entity}, event["data"].keys()
        assert event["data"]["version"] == 1
        assert event["data"][entity]["id"] == subjects[topic]
        # traceparent: an extension attribute and a Kafka header, of one trace (the header
        # may name the relay's publishing span, a child of the one that made the change).
        extension = TRACEPARENT.match(event["traceparent"])
        header = dict(headers).get("traceparent")
        assert extension is not None, (topic, event)
        assert header is not None, (topic, headers)
        in_header = TRACEPARENT.match(header.decode())
        assert in_header is not None, (topic, header)
        assert in_header[1] == extension[1], (topic, header, event["traceparent"])
