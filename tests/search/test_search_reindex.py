"""Rebuilding the index from the compacted topics (``python -m tt.search.worker
--reindex``, what ``./dev reindex search`` runs) gives the index the live indexer built,
and loses nothing that arrives while it runs."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import asyncpg
from searchkit import Caller, Indexer, client, entry, project, task, word

from support.platform import PlatformInfo
from support.rebuild import finished, start_reindex

# Every column but updated_at (when a row was written, not what it says).
SNAPSHOT = """
SELECT kind, entity_id, title, description, status, project_id, project_name, task_id,
       task_name, owner_id, duration_seconds, is_running, started_at, text_a, text_b, text_c,
       match_key, search_text, document::text
FROM search_documents ORDER BY kind, entity_id
"""


def snapshot(platform: PlatformInfo) -> list[tuple[Any, ...]]:
    async def run() -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(platform.dsn("search"))
        try:
            return [tuple(row) for row in await conn.fetch(SNAPSHOT)]
        finally:
            await conn.close()

    return asyncio.run(run())


def test_a_rebuild_from_the_topics_equals_the_live_index(
    platform: PlatformInfo,
    indexer: Indexer,
    alice: Caller,
    bob: Caller,
    boss: Caller,
    unique: str,
    ids: Iterator[int],
) -> None:
    live, archived, renamed, doomed = (next(ids) for _ in range(4))
    indexer.publish(
        project(live, f"Live {unique}", description="kept"),
        project(archived, f"Shelved {unique}"),
        project(archived, f"Shelved {unique}", version=2, status="archived", is_archived=True),
        project(renamed, f"Before {unique}"),
        project(renamed, f"After {unique}", version=2, verb="updated"),
        task(next(ids), live, f"Task {unique}", status="in_progress"),
        task(next(ids), archived, f"Hidden task {unique}"),
        client(doomed, f"Gone {unique}"),
        client(doomed, f"Gone {unique}", version=2, verb="deleted"),
        client(next(ids), "Kept Ltd", email=f"{unique}@example.test"),
        entry(next(ids), alice.id, f"mine {unique}", project_id=live, project="Live"),
        entry(next(ids), bob.id, f"his {unique}", tags="x"),
        raw=[(indexer.catalogue.for_entity("client").name, str(doomed).encode(), None)],
    )
    indexer.wait_caught_up()  # compare with everything on the topics indexed
    queries = [unique, f"after {unique}", "projetc", unique[:5]]
    before = {(c.id, q): c.search(q, limit=50).json() for c in (alice, bob, boss) for q in queries}
    rows_before = snapshot(platform)
    assert len(before[(boss.id, unique)]["results"]) == 6

    summary = finished(start_reindex(platform, "search"))

    assert summary["applied"] >= 12
    assert {
        (c.id, q): c.search(q, limit=50).json() for c in (alice, bob, boss) for q in queries
    } == (before)
    rows_after = snapshot(platform)
    assert set(rows_after) ^ set(rows_before) == set()
    assert rows_after == rows_before


def test_changes_made_during_a_rebuild_are_not_lost(
    platform: PlatformInfo, indexer: Indexer, alice: Caller, ids: Iterator[int]
) -> None:
    pid, later = next(ids), next(ids)
    old, new, other = word(), word(), word()
    indexer.publish(project(pid, old))
    process = start_reindex(platform, "search")
    # Published while the rebuild reads the topics: the rebuild or the live indexer
    # (which waits for the rebuild's transaction) applies them.
    indexer.publish(project(pid, new, version=2, verb="updated"), project(later, other))
    finished(process)
    assert alice.found(new) == [("project", pid)]
    assert alice.found(old) == []
    assert alice.found(other) == [("project", later)]
