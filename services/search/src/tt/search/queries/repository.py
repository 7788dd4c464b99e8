# ruff: noqa: S608 -- the SQL is assembled from constant fragments; every value is bound.
"""The search query: one round trip, one ranked and limited branch per category.

Ranking within a category: an exact match of the name (or an entry's notes) first, then
a name starting with the query, then full-text matches by weighted rank (names weigh
more than descriptions), then what only trigram similarity found (typos); ties by
similarity, then newest. Matching is any of: every word as a full-text prefix, trigram
word similarity (``<%``, threshold set on the database by the migration), or the
query as a substring, as the reference product's ILIKE search finds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tt.search.queries.parsing import SearchQuery


@dataclass(frozen=True, slots=True)
class Hit:
    """One matched row, with what ordering and display need."""

    kind: str
    id: int
    title: str
    description: str
    status: str | None
    project_name: str | None
    task_name: str | None
    duration_seconds: int | None
    started_at: datetime | None
    tier: int
    rank: float
    similarity: float


def _match(query: SearchQuery) -> str:
    parts = ["CAST(:q AS text) <% d.search_text"]
    if query.tsquery is not None:
        parts.append("d.document @@ to_tsquery('simple', CAST(:tsq AS text))")
    if query.substring_pattern is not None:
        parts.append("d.search_text ILIKE CAST(:substring AS text)")
    return "(" + " OR ".join(parts) + ")"


def _ranking(query: SearchQuery) -> str:
    full_text = (
        "WHEN d.document @@ to_tsquery('simple', CAST(:tsq AS text)) THEN 2 "
        if query.tsquery is not None
        else ""
    )
    rank = (
        "ts_rank_cd(d.document, to_tsquery('simple', CAST(:tsq AS text)))"
        if query.tsquery is not None
        else "0.0"
    )
    return (
        "CASE WHEN d.match_key = lower(CAST(:q AS text)) THEN 0 "
        "WHEN d.match_key LIKE CAST(:prefix AS text) THEN 1 "
        f"{full_text}ELSE 3 END AS tier, "
        f"CAST({rank} AS float8) AS rank, "
        "CAST(word_similarity(CAST(:q AS text), d.search_text) AS float8) AS similarity"
    )


_ORDER = "ORDER BY tier, rank DESC, similarity DESC"

_NO_ENTRY_COLUMNS = "NULL::text, NULL::text, NULL::bigint, NULL::timestamptz"


def _project_branch(match: str, ranking: str) -> str:
    return f"""(SELECT d.kind, d.entity_id, d.title, d.description, d.status,
        {_NO_ENTRY_COLUMNS}, {ranking}
    FROM search_documents d
    WHERE d.kind = 'project' AND d.status = 'active' AND {match}
    {_ORDER}, d.entity_id DESC LIMIT :limit)"""


def _task_branch(match: str, ranking: str) -> str:
    # Only tasks of active projects; the description is the project's current name.
    return f"""(SELECT d.kind, d.entity_id, d.title, '', d.status,
        p.title, NULL::text, NULL::bigint, NULL::timestamptz, {ranking}
    FROM search_documents d
    JOIN search_documents p ON p.kind = 'project' AND p.entity_id = d.project_id
    WHERE d.kind = 'task' AND p.status = 'active' AND {match}
    {_ORDER}, d.entity_id DESC LIMIT :limit)"""


def _client_branch(match: str, ranking: str) -> str:
    return f"""(SELECT d.kind, d.entity_id, d.title, d.description, d.status,
        {_NO_ENTRY_COLUMNS}, {ranking}
    FROM search_documents d
    WHERE d.kind = 'client' AND {match}
    {_ORDER}, d.entity_id DESC LIMIT :limit)"""


def _entry_branch(match: str, ranking: str, own_only: bool) -> str:
    # Finished entries only (as the reference product); a non-admin's own only. Names
    # of the project and task come from their current rows when the index has them.
    owner = "AND d.owner_id = :owner_id" if own_only else ""
    return f"""(SELECT e.kind, e.entity_id, '', e.description, NULL::text,
        COALESCE(p.title, e.project_name), COALESCE(t.title, e.task_name),
        e.duration_seconds, e.started_at, e.tier, e.rank, e.similarity
    FROM (
        SELECT d.kind, d.entity_id, d.description, d.project_id, d.project_name,
            d.task_id, d.task_name, d.duration_seconds, d.started_at, {ranking}
        FROM search_documents d
        WHERE d.kind = 'entry' AND NOT d.is_running {owner} AND {match}
        {_ORDER}, d.started_at DESC NULLS LAST, d.entity_id DESC LIMIT :limit
    ) e
    LEFT JOIN search_documents p ON p.kind = 'project' AND p.entity_id = e.project_id
    LEFT JOIN search_documents t ON t.kind = 'task' AND t.entity_id = e.task_id)"""


async def find_hits(
    db: AsyncConnection,
    query: SearchQuery,
    kinds: Sequence[str],
    limit: int,
    *,
    viewer_id: int,
    sees_every_entry: bool,
) -> list[Hit]:
    """Up to ``limit`` hits of each kind in ``kinds``, unordered across kinds."""
    match, ranking = _match(query), _ranking(query)
    branches = {
        "project": lambda: _project_branch(match, ranking),
        "task": lambda: _task_branch(match, ranking),
        "client": lambda: _client_branch(match, ranking),
        "entry": lambda: _entry_branch(match, ranking, own_only=not sees_every_entry),
    }
    sql = "\nUNION ALL\n".join(branches[kind]() for kind in kinds)
    params: dict[str, Any] = {"q": query.text, "prefix": query.prefix_pattern, "limit": limit}
    if query.tsquery is not None:
        params["tsq"] = query.tsquery
    if query.substring_pattern is not None:
        params["substring"] = query.substring_pattern
    if "entry" in kinds and not sees_every_entry:
        params["owner_id"] = viewer_id
    rows = (await db.execute(text(sql), params)).all()
    # Every branch selects the same columns in Hit's order.
    return [Hit(*row) for row in rows]
