"""End to end through the gateway: what users create, rename and archive through the
time service becomes searchable, changes and disappears, with no call between the two
services (events only). Every wait is a poll with a deadline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from searchkit import Caller, word

from support.api import wait_until

DEADLINE = 15.0


def created(caller: Caller, path: str, key: str, body: dict[str, Any]) -> int:
    r = caller.user.api.post(path, json=body)
    assert r.status_code == 201, r.text
    return int(r.json()[key]["id"])


def eventually(caller: Caller, q: str, expect: Callable[[list[tuple[str, int]]], bool]) -> None:
    wait_until(
        lambda: expect(caller.found(q, limit=50)) or None,
        timeout=DEADLINE,
        what=f"search {q!r} to match for user {caller.id}",
    )


def test_a_project_is_found_renamed_and_archived_with_its_tasks(
    alice: Caller, boss: Caller
) -> None:
    first, second, task_word = word(), word(), word()
    pid = created(alice, "/api/v1/projects", "project", {"name": f"Apollo {first}"})
    eventually(alice, first, lambda hits: hits == [("project", pid)])
    tid = created(
        alice, "/api/v1/tasks", "task", {"name": f"Lander {task_word}", "project_id": pid}
    )
    eventually(alice, task_word, lambda hits: hits == [("task", tid)])

    renamed = alice.user.api.put(f"/api/v1/projects/{pid}", json={"name": f"Artemis {second}"})
    assert renamed.status_code == 200, renamed.text
    eventually(alice, second, lambda hits: hits == [("project", pid)])
    assert alice.found(first) == []
    # The task shows its project's new name without a task event.
    assert alice.results(task_word)[0]["description"] == f"Artemis {second}"

    archived = alice.user.api.delete(f"/api/v1/projects/{pid}")
    assert archived.status_code == 200, archived.text
    eventually(alice, second, lambda hits: hits == [])
    for caller in (alice, boss):
        assert caller.found(second) == []
        assert caller.found(task_word) == []


def test_clients_and_entries_from_the_time_service(
    alice: Caller, bob: Caller, boss: Caller
) -> None:
    name, mail, company = word(), word(), word()
    cid = created(
        boss,
        "/api/v1/clients",
        "client",
        {"name": f"Client {name}", "email": f"{mail}@example.test", "company": f"{company} Inc"},
    )
    for q in (name, mail, company):
        eventually(alice, q, lambda hits: hits == [("client", cid)])

    notes, tag = word(), word()
    pid = created(alice, "/api/v1/projects", "project", {"name": "Timesheets"})
    entry = {
        "project_id": pid,
        "start_time": "2026-01-05T09:00:00Z",
        "end_time": "2026-01-05T10:00:00Z",
        "notes": f"wrote {notes}",
        "tags": f"docs,{tag}",
    }
    alices = created(alice, "/api/v1/time-entries", "time_entry", entry)
    bobs = created(bob, "/api/v1/time-entries", "time_entry", entry)
    eventually(boss, notes, lambda hits: set(hits) == {("entry", alices), ("entry", bobs)})
    assert alice.found(notes) == [("entry", alices)]
    assert bob.found(notes) == [("entry", bobs)]
    assert alice.found(tag) == [("entry", alices)]
    hit = alice.results(notes)[0]
    assert hit["title"] == "Timesheets"
    assert hit["badge"] == "01:00:00"
    assert hit["description"] == f"wrote {notes} [docs,{tag}]"
