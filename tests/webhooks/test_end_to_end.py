"""Through the whole platform: a user's changes in the time service reach that user's
webhook as signed CloudEvents, in order per entity, exactly as the time service published them."""

from __future__ import annotations

import uuid

from webhook_kit import Caller, Hooks
from webhook_receivers import verify

from support.api import User
from support.kafka import end_offsets, read_events
from tt.common.topics import load_catalogue


def test_time_service_changes_reach_the_users_webhook(user: User, hooks: Hooks) -> None:
    receiver = hooks.receiver()
    owner = Caller(user.id, user.api)
    created = hooks.create(owner, receiver.url, ["tt.project.created", "tt.time_entry.timer_*"])
    secret = created["secret"]
    topic = load_catalogue("deploy/kafka/topics.yaml").for_entity("time_entry").name
    since = end_offsets(hooks.platform.kafka_bootstrap, topic)

    project = user.api.post("/api/v1/projects", json={"name": f"hooked {uuid.uuid4().hex[:8]}"})
    assert project.status_code == 201, project.text
    project_id = project.json()["project"]["id"]
    started = user.api.post("/api/v1/timer/start", json={"project_id": project_id})
    assert started.status_code == 201, started.text
    entry_id = started.json()["timer"]["id"]
    assert user.api.post("/api/v1/timer/stop").status_code == 200

    got = hooks.wait_for(receiver, 3, timeout=30)
    events = [verify(r, secret) for r in got]
    assert [r.webhook_id for r in got] == [e["id"] for e in events]
    # Order is promised per entity (docs/api.md §8): the project's and the entry's events come
    # from different topics and may interleave either way.
    # Ids are per entity: a project and an entry may share one, so match on both.
    projects = [e for e in events if e["type"].startswith("tt.project.")]
    timers = [e for e in events if e["type"].startswith("tt.time_entry.")]
    assert [(e["type"], e["subject"]) for e in projects] == [
        ("tt.project.created", str(project_id))
    ]
    assert [(e["type"], e["subject"]) for e in timers] == [
        ("tt.time_entry.timer_started", str(entry_id)),
        ("tt.time_entry.timer_stopped", str(entry_id)),
    ]
    assert timers[0]["data"]["time_entry"]["user_id"] == user.id
    assert timers[1]["data"]["version"] == timers[0]["data"]["version"] + 1

    # Exactly the CloudEvents the time service published to Kafka.
    wanted = {e["id"] for e in timers}
    published = read_events(
        hooks.platform.kafka_bootstrap,
        topic,
        since=since,
        until=lambda evs: {e.id for e in evs} >= wanted,
    )
    by_id = {e.id: e.to_dict() for e in published}
    assert [by_id[e["id"]] for e in timers] == timers
