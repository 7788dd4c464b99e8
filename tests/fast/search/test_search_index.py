"""The search index (``tt.search``): what each event becomes in the search table, how a
typed query is made safe, and what a search of the index finds for whom, in the search
database through the indexer's own batch handler and the query the route runs."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from support.events import synthetic_event
from support.fastkit import caller, new_id
from tt.common.contracts import InvalidEventState
from tt.common.contracts.time import (
    CLIENT_CREATED,
    PROJECT_CREATED,
    PROJECT_UPDATED,
    TASK_CREATED,
    TIME_ENTRY_CREATED,
    TIME_ENTRY_DELETED,
)
from tt.common.db import driver
from tt.common.errors import ValidationFailed
from tt.common.identity import Identity
from tt.search.consumers import index_events
from tt.search.documents.indexing import document_for
from tt.search.documents.models import GIN_PENDING_LIST_KB
from tt.search.queries.parsing import (
    MAX_TERMS,
    build_query,
    check_length,
    normalise,
    parse_types,
)
from tt.search.queries.repository import bound_statement
from tt.search.queries.service import search
from tt.search.settings import SearchSettings

# The service's defaults for the bounds of a search.
BOUNDS = {
    name: SearchSettings.model_fields[setting].default
    for name, setting in (
        ("candidates", "ranked_candidates"),
        ("probe_rows", "probe_rows"),
        ("similar_words", "similar_words"),
    )
}


def project(project_id: int, name: str, version: int = 1, **state: Any) -> Any:
    event_type = PROJECT_CREATED if version == 1 else PROJECT_UPDATED
    fields = {"name": name, "status": "active", **state}
    return synthetic_event(event_type, project_id, version, **fields)


def entry(entry_id: int, owner: int, notes: str, **state: Any) -> Any:
    return synthetic_event(
        TIME_ENTRY_CREATED,
        entry_id,
        1,
        user_id=owner,
        notes=notes,
        start_time="2026-03-02T09:00:00Z",
        end_time="2026-03-02T10:30:00Z",
        duration_seconds=5400,
        **state,
    )


async def find(
    session: AsyncSession, typed: str, viewer: Identity, kinds: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """What ``GET /api/search?q=typed`` answers ``viewer`` (10 per category)."""
    return await search(
        await driver(session),
        build_query(normalise(typed)),
        kinds or parse_types(None),
        10,
        viewer,
        **BOUNDS,
    )


# ------------------------------------------------------------------ documents


def test_an_archived_project_is_archived_whatever_its_status_says() -> None:
    doc = document_for(project(5, "Website", status="active", is_archived=True))
    assert (doc.kind, doc.entity_id, doc.title, doc.status) == ("project", 5, "Website", "archived")


def test_an_entry_document_shows_the_start_of_its_notes_and_its_tags() -> None:
    doc = document_for(entry(9, owner=3, notes="n" * 150 + "\x00", tags="a,b"))
    assert doc.description == "n" * 100 + " [a,b]"
    assert (doc.text_a, doc.text_b) == ("n" * 150, "a,b")  # NUL dropped: text cannot hold it
    assert (doc.owner_id, doc.duration_seconds, doc.is_running) == (3, 5400, False)


def test_a_client_is_found_by_its_company_and_email_too() -> None:
    doc = document_for(
        synthetic_event(CLIENT_CREATED, 4, name="Acme", company="Acme Ltd", email="a@acme.test")
    )
    assert (doc.description, doc.text_b) == ("Acme Ltd", "Acme Ltd a@acme.test")


def test_a_subject_that_is_no_entity_id_is_refused() -> None:
    with pytest.raises(InvalidEventState):
        document_for(dataclasses.replace(project(1, "Website"), subject="x"))


# ------------------------------------------------------------------ queries


def test_what_a_caller_types_is_never_query_syntax() -> None:
    query = build_query(normalise("  Design\t&  'web:* | !x%_\\ \x00 "))
    assert query.text == "Design & 'web:* | !x%_\\"
    assert query.words == ("design", "web", "x", "_")
    assert query.tsquery == "'design':* & 'web':* & 'x':* & '_':*"
    assert query.substring_pattern == "%design & 'web:* | !x\\%\\_\\\\%"
    assert build_query("ab").substring_pattern is None  # too short for trigrams
    assert len(build_query(" ".join(f"w{n}" for n in range(40))).words) == MAX_TERMS


def test_query_length_and_types() -> None:
    check_length("ab", 200)
    for bad in ("a", "x" * 201):
        with pytest.raises(ValidationFailed):
            check_length(bad, 200)
    assert parse_types(" Task,project ,") == ("project", "task")
    assert parse_types(None) == ("project", "task", "client", "entry")
    with pytest.raises(ValidationFailed):
        parse_types("project,invoice")


# ------------------------------------------------------------------ the index


async def test_a_batch_leaves_each_entitys_last_change(session: AsyncSession) -> None:
    kept, dropped = new_id(), new_id()
    await index_events(
        session,
        [
            project(kept, "Draft"),
            project(dropped, "Temporary"),
            project(kept, "Website relaunch", version=2),
            synthetic_event(TIME_ENTRY_DELETED, dropped, 2, user_id=1),  # another kind
        ],
    )
    await index_events(
        session, [synthetic_event(PROJECT_CREATED, dropped, 3, name="Gone", status="archived")]
    )
    stored = await session.execute(
        text("SELECT entity_id, title, status FROM search_documents WHERE kind = 'project'")
    )
    assert sorted(stored.all()) == sorted(
        [(kept, "Website relaunch", "active"), (dropped, "Gone", "archived")]
    )


async def test_search_finds_active_projects_and_their_tasks_by_prefix_and_typo(
    session: AsyncSession,
) -> None:
    live, old = new_id(), new_id()
    await index_events(
        session,
        [
            project(live, "Website relaunch"),
            project(old, "Website archive", status="archived"),
            synthetic_event(TASK_CREATED, new_id(), project_id=live, name="Wireframes"),
            synthetic_event(TASK_CREATED, new_id(), project_id=old, name="Wireframes old"),
        ],
    )
    me = caller()
    assert [(r["type"], r["title"]) for r in await find(session, "websi", me)] == [
        ("project", "Website relaunch")
    ]
    tasks = await find(session, "wirefram", me, ("task",))
    assert [(r["title"], r["description"]) for r in tasks] == [("Wireframes", "Website relaunch")]
    assert [r["title"] for r in await find(session, "relanch", me)] == ["Website relaunch"]


async def test_entries_are_found_by_their_owner_and_admins_only(session: AsyncSession) -> None:
    owner, other = caller(), caller()
    entry_id = new_id()
    await index_events(session, [entry(entry_id, owner.user_id, "Quarterly invoicing run")])
    [hit] = await find(session, "invoicing", owner)
    assert (hit["type"], hit["id"], hit["badge"], hit["url"]) == (
        "entry",
        entry_id,
        "01:30:00",
        f"/timer/edit/{entry_id}",
    )
    assert await find(session, "invoicing", other) == []
    assert [r["id"] for r in await find(session, "invoicing", caller(admin=True))] == [entry_id]
    await index_events(session, [synthetic_event(TIME_ENTRY_DELETED, entry_id, 2, user_id=1)])
    assert await find(session, "invoicing", owner) == []


async def test_an_exact_name_ranks_first(session: AsyncSession) -> None:
    await index_events(
        session,
        [project(new_id(), name) for name in ("Apps platform", "App", "Mobile app", "Application")],
    )
    titles = [r["title"] for r in await find(session, "app", caller(), ("project",))]
    assert titles[0] == "App"
    assert set(titles) == {"App", "Apps platform", "Mobile app", "Application"}


# The CTEs of the entries' matches, where the fallback scans the table (the probes are
# CTEs of their own).
FALLBACKS = {"CTE entry_strong", "CTE entry_weak"}


async def fallback_runs(session: AsyncSession, typed: str, viewer: Identity) -> int:
    """How often a search of the viewer's entries asked the indexes for every match (the
    scans of the table in ``FALLBACKS``), from the plan it ran with."""
    sql, values = bound_statement(
        build_query(typed),
        ("entry",),
        10,
        viewer_id=viewer.user_id,
        sees_every_entry=False,
        **BOUNDS,
    )
    # The service's connections decode json themselves.
    [plan] = await (await driver(session)).fetchval(
        "EXPLAIN (ANALYZE, FORMAT JSON) " + sql, *values
    )

    def loops(node: dict[str, Any], cte: str = "") -> int:
        cte = node.get("Subplan Name", cte)
        scans = node.get("Relation Name") == "search_documents"
        own = node["Actual Loops"] if scans and cte in FALLBACKS else 0
        return own + sum(loops(child, cte) for child in node.get("Plans", []))

    return loops(plan["Plan"])


async def test_a_user_with_few_entries_is_answered_from_them_alone(session: AsyncSession) -> None:
    # The drill's new users searched a word found in every other user's entries, and each
    # search read all of those (a bitmap of every match) to keep none of them.
    others, me = caller(), caller()
    await index_events(session, [entry(new_id(), others.user_id, f"common {i}") for i in range(30)])
    mine = new_id()
    await index_events(
        session, [entry(mine, me.user_id, "common mine"), entry(new_id(), me.user_id, "other")]
    )
    assert [r["id"] for r in await find(session, "common", me, ("entry",))] == [mine]
    assert await fallback_runs(session, "common", me) == 0


async def test_a_match_older_than_the_newest_rows_walked_is_still_found(
    session: AsyncSession,
) -> None:
    me = caller()
    oldest = new_id()  # equal start times: the lowest id is the oldest
    await index_events(
        session,
        [entry(oldest, me.user_id, "rare needle")]
        + [entry(new_id(), me.user_id, f"hay {i}") for i in range(BOUNDS["probe_rows"])],
    )
    assert [r["id"] for r in await find(session, "needle", me, ("entry",))] == [oldest]
    assert await fallback_runs(session, "needle", me) > 0


async def test_every_gin_index_of_the_search_keeps_a_short_pending_list(
    session: AsyncSession,
) -> None:
    # Every search of a GIN index reads its whole pending list; PostgreSQL's default
    # (4 MB) made a search ten times slower when the list was nearly full.
    limits = await session.execute(
        text(
            "SELECT c.relname, coalesce(("
            "  SELECT split_part(o, '=', 2)::int FROM unnest(c.reloptions) o"
            "  WHERE o LIKE 'gin_pending_list_limit=%'), ("
            "  SELECT setting::int FROM pg_settings WHERE name = 'gin_pending_list_limit')) "
            "FROM pg_class c JOIN pg_am a ON a.oid = c.relam JOIN pg_index i "
            "ON i.indexrelid = c.oid WHERE a.amname = 'gin' "
            "AND i.indrelid::regclass::text IN ('search_documents', 'search_words')"
        )
    )
    found = dict(limits.tuples().all())
    assert len(found) == 9, found
    assert {name: kb for name, kb in found.items() if kb > GIN_PENDING_LIST_KB} == {}
