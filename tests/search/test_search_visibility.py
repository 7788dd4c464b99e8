"""The seed's visibility rules, each with a non-admin and an admin (seed 002, "Search
Behavior"): active projects only; tasks of active projects only; clients by name, email
and company; time entries by notes and tags, the caller's own unless admin."""

from __future__ import annotations

from collections.abc import Iterator

from searchkit import Caller, Indexer, client, entry, project, task


def test_only_active_projects_are_found(
    indexer: Indexer, alice: Caller, boss: Caller, unique: str, ids: Iterator[int]
) -> None:
    active, archived, on_hold, inactive, flagged = (next(ids) for _ in range(5))
    indexer.publish(
        project(active, f"Alpha {unique}"),
        project(archived, f"Beta {unique}", status="archived", is_archived=True),
        project(on_hold, f"Gamma {unique}", status="on_hold"),
        project(inactive, f"Delta {unique}", status="inactive"),
        # An archive flag wins over a status that still says active.
        project(flagged, f"Epsilon {unique}", is_archived=True),
    )
    for caller in (alice, boss):
        assert caller.found(unique) == [("project", active)]
    # The description is searched too, still for active projects only.
    described = next(ids)
    indexer.publish(
        project(described, "Plain name", description=f"about {unique}"),
        project(next(ids), "Other name", description=f"about {unique}", status="completed"),
    )
    for caller in (alice, boss):
        assert set(caller.found(unique)) == {("project", active), ("project", described)}


def test_tasks_are_found_only_in_active_projects(
    indexer: Indexer, alice: Caller, boss: Caller, unique: str, ids: Iterator[int]
) -> None:
    live, gone, live_task, done_task, gone_task, orphan = (next(ids) for _ in range(6))
    indexer.publish(
        project(live, "Live project"),
        project(gone, "Archived project", status="archived", is_archived=True),
        task(live_task, live, f"Write {unique}", status="in_progress"),
        task(done_task, live, "Review", description=f"check {unique}", status="done"),
        task(gone_task, gone, f"Old {unique}"),
        task(orphan, next(ids), f"Orphan {unique}"),  # its project is unknown to search
    )
    for caller in (alice, boss):
        results = caller.results(unique, types="task")
        assert [(r["id"], r["badge"], r["description"]) for r in results] == [
            (live_task, "In Progress", "Live project"),
            (done_task, "Done", "Live project"),
        ]


def test_clients_are_found_by_name_email_and_company_only(
    indexer: Indexer, alice: Caller, boss: Caller, unique: str, ids: Iterator[int]
) -> None:
    by_name, by_email, by_company, by_other = (next(ids) for _ in range(4))
    indexer.publish(
        client(by_name, f"{unique} GmbH"),
        client(by_email, "Mail Ltd", email=f"{unique}@example.test"),
        client(by_company, "Co Ltd", company=f"{unique} Holdings"),
        client(
            by_other,
            "Other Ltd",
            phone=unique,
            address=f"1 {unique} Street",
            contact_person=unique,
            description=unique,
        ),
    )
    for caller in (alice, boss):
        results = caller.results(unique)
        assert {r["id"] for r in results} == {by_name, by_email, by_company}
        assert all(r["type"] == "client" and r["badge"] == "Client" for r in results)
        described = {r["id"]: r["description"] for r in results}
        assert described[by_email] == f"{unique}@example.test"
        assert described[by_company] == f"{unique} Holdings"


def test_entries_are_the_callers_own_unless_admin(
    indexer: Indexer, alice: Caller, bob: Caller, boss: Caller, unique: str, ids: Iterator[int]
) -> None:
    alices, alices_tagged, bobs, running = (next(ids) for _ in range(4))
    indexer.publish(
        entry(alices, alice.id, f"fixed {unique}"),
        entry(alices_tagged, alice.id, "meeting", tags=f"client,{unique}"),
        entry(bobs, bob.id, f"reviewed {unique}"),
        # A running timer is not searchable (as in the reference product).
        entry(running, alice.id, f"ongoing {unique}", end_time=None, duration_seconds=None),
    )
    assert set(alice.found(unique)) == {("entry", alices), ("entry", alices_tagged)}
    assert bob.found(unique) == [("entry", bobs)]
    assert set(boss.found(unique)) == {("entry", alices), ("entry", alices_tagged), ("entry", bobs)}
    # Another user's entry cannot be reached by any query form either.
    assert ("entry", bobs) not in alice.found(f"reviewed {unique}", types="entry", limit=50)
    assert alice.legacy(unique).json()["count"] == 2
