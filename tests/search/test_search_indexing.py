"""The indexer: every change of a consumed entity reaches the index, in version order;
deletes and archives remove what must not be found; bad events go to the DLQ."""

from __future__ import annotations

from collections.abc import Iterator

from searchkit import Caller, Indexer, client, entry, project, task, word

from support.kafka import end_offsets, read_events


def test_an_update_replaces_what_the_row_is_found_by(
    indexer: Indexer, alice: Caller, unique: str, ids: Iterator[int]
) -> None:
    pid, cid = next(ids), next(ids)
    old, new = word(), word()
    indexer.publish(project(pid, f"{old} {unique}"), client(cid, f"{old} {unique}"))
    assert set(alice.found(old)) == {("project", pid), ("client", cid)}
    indexer.publish(
        project(pid, f"{new} {unique}", version=2, verb="updated"),
        client(cid, f"{new} {unique}", version=2, verb="updated"),
    )
    assert alice.found(old) == []
    assert set(alice.found(new)) == {("project", pid), ("client", cid)}


def test_archiving_a_project_hides_it_and_its_tasks_until_it_is_active_again(
    indexer: Indexer, alice: Caller, unique: str, ids: Iterator[int]
) -> None:
    pid, tid = next(ids), next(ids)
    indexer.publish(project(pid, f"Site {unique}"), task(tid, pid, f"Logo {unique}"))
    assert alice.found(unique) == [("project", pid), ("task", tid)]
    archive = project(
        pid, f"Site {unique}", version=2, verb="status_changed", status="archived", is_archived=True
    )
    indexer.publish(archive)
    assert alice.found(unique) == []
    indexer.publish(project(pid, f"Site {unique}", version=3, verb="status_changed"))
    assert alice.found(unique) == [("project", pid), ("task", tid)]


def test_deleted_entities_are_removed_and_tombstones_are_harmless(
    indexer: Indexer, alice: Caller, unique: str, ids: Iterator[int]
) -> None:
    pid, tid, cid, eid = (next(ids) for _ in range(4))
    created = [
        project(pid, f"P {unique}"),
        task(tid, pid, f"T {unique}"),
        client(cid, f"C {unique}"),
        entry(eid, alice.id, f"E {unique}"),
    ]
    indexer.publish(*created)
    assert len(alice.found(unique)) == 4
    deleted = [
        task(tid, pid, f"T {unique}", version=2, verb="deleted"),
        client(cid, f"C {unique}", version=2, verb="deleted"),
        entry(eid, alice.id, f"E {unique}", version=2, verb="deleted"),
    ]
    tombstones = [
        (indexer.catalogue.for_entity(e.entity).name, e.subject.encode(), None) for e in deleted
    ]
    indexer.publish(*deleted, raw=tombstones)
    assert alice.found(unique) == [("project", pid)]
    # A replay of the creation (older version) does not bring them back.
    indexer.publish(*created[1:])
    assert alice.found(unique) == [("project", pid)]


def test_older_and_duplicate_versions_never_overwrite_newer_state(
    indexer: Indexer, alice: Caller, ids: Iterator[int]
) -> None:
    pid = next(ids)
    v1, v2, v3 = word(), word(), word()
    indexer.publish(
        project(pid, v1, version=1),
        project(pid, v3, version=3, verb="updated"),
        project(pid, v2, version=2, verb="updated"),  # late, older
        project(pid, v1, version=1),  # a replay
        project(pid, v3, version=3, verb="updated"),  # a duplicate
    )
    assert alice.found(v3) == [("project", pid)]
    assert alice.found(v1) == []
    assert alice.found(v2) == []


def test_task_and_entry_show_current_names_whatever_the_order_events_arrive_in(
    indexer: Indexer, alice: Caller, unique: str, ids: Iterator[int]
) -> None:
    pid, tid, eid = next(ids), next(ids), next(ids)
    # The task and entry arrive before their project (separate topics, no order).
    indexer.publish(
        task(tid, pid, f"Homepage {unique}", project="Old name", status="review"),
        entry(
            eid,
            alice.id,
            f"layout {unique}",
            project_id=pid,
            project="Old name",
            task_id=tid,
            task="Homepage",
            duration_seconds=3725,
        ),
    )
    assert alice.found(unique) == [("entry", eid)]  # no active project yet: no task
    indexer.publish(project(pid, "Website Redesign"))
    results = {r["type"]: r for r in alice.results(unique)}
    assert results["task"] == {
        "type": "task",
        "category": "task",
        "id": tid,
        "title": f"Homepage {unique}",
        "description": "Website Redesign",
        "url": f"/tasks/{tid}",
        "badge": "Review",
    }
    assert results["entry"] == {
        "type": "entry",
        "category": "entry",
        "id": eid,
        "title": f"Website Redesign • Homepage {unique}",
        "description": f"layout {unique}",
        "url": f"/timer/edit/{eid}",
        "badge": "01:02:05",
    }
    # A rename of the project shows in both at once, without new task or entry events.
    indexer.publish(project(pid, "Renamed", version=2, verb="updated"))
    results = {r["type"]: r for r in alice.results(unique)}
    assert results["task"]["description"] == "Renamed"
    assert results["entry"]["title"] == f"Renamed • Homepage {unique}"


def test_bad_events_go_to_the_dead_letter_topic_and_indexing_goes_on(
    indexer: Indexer, alice: Caller, unique: str, ids: Iterator[int]
) -> None:
    topic = indexer.catalogue.for_entity("project").name
    dlq = topic + ".dlq"
    since = end_offsets(indexer.bootstrap, dlq)
    nameless, good = next(ids), next(ids)
    poison = project(nameless, "x")
    poison.data["project"].pop("name")
    indexer.publish(
        poison,
        project(good, f"Good {unique}"),
        raw=[(topic, b"garbage", b"{not json")],
    )
    assert alice.found(unique) == [("project", good)]
    dead = read_events(indexer.bootstrap, dlq, since=since, raw=True)
    keys = {key for key, _, _ in dead}
    assert {str(nameless).encode(), b"garbage"} <= keys
