# ruff: noqa: S608 -- the SQL is assembled from constant fragments; every value is bound.
"""The search query: one round trip; per category, bounded candidate sets, then ranking.

Matching is any of: the name (an entry's notes) starting with the query, every word as
a full-text prefix, the query as a substring (as the reference product's ILIKE search
finds it), or trigram word similarity (``<%``, threshold set on the database by the
migration), which is what finds words with a typo.

Ranking within a category: an exact match of the name first, then a name starting with
the query, then full-text matches by weighted rank (names weigh more than descriptions),
then the rest (substrings, typos) by similarity; ties newest first.

Each way of matching is its own index scan with a ``LIMIT`` (``candidates``), so the work
is bounded whatever the query: a word in half of 100k entries costs the same as a rare
one. Substring and trigram candidates rank below every full-text match, so they are
looked for only when the name and full-text candidates are fewer than ``limit``. For a
query that matches more rows of a category than ``candidates`` by full text, the rank
orders a sample of them (every name match is still kept, up to ``candidates``).
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


@dataclass(frozen=True, slots=True)
class _Category:
    source: str  # FROM ... (the row is ``d``)
    where: str  # who may see which rows of the category
    project_name: str = "d.project_name"  # what a result shows as its project's name


_TSQ = "to_tsquery('simple', CAST(:tsq AS text))"

_CATEGORIES = {
    "project": _Category("search_documents d", "d.kind = 'project' AND d.status = 'active'"),
    # Only tasks of active projects; a task shows its project's current name. The project
    # is looked up per candidate task (OFFSET 0 keeps the lateral subquery a nested loop
    # of key lookups: a hash of every active project costs more than the LIMIT saves).
    "task": _Category(
        "search_documents d CROSS JOIN LATERAL (SELECT p.title FROM search_documents p "
        "WHERE p.kind = 'project' AND p.entity_id = d.project_id AND p.status = 'active' "
        "OFFSET 0) p",
        "d.kind = 'task'",
        project_name="p.title",
    ),
    "client": _Category("search_documents d", "d.kind = 'client'"),
    # Finished entries only (as the reference product); a non-admin's own only.
    "entry": _Category("search_documents d", "d.kind = 'entry' AND NOT d.is_running"),
}
_OWN_ENTRIES = " AND d.owner_id = :owner_id"
# Names starting with the query: a range in byte order (as the index is) rather than
# LIKE 'q%', so the index is used with a bound parameter too, in a generic plan.
_NAME_RANGE = (
    'd.match_key COLLATE "C" >= CAST(:name_from AS text) '
    'AND d.match_key COLLATE "C" < CAST(:name_to AS text)'
)
# Every scan returns these, so rows found twice are equal and UNION keeps one.
_COLUMNS = (
    "kind, entity_id, title, description, status, project_id, project_name, task_id, "
    "task_name, duration_seconds, started_at, tier, rank, similarity"
)


def _ranking(query: SearchQuery) -> str:
    full_text = f"d.document @@ {_TSQ}" if query.tsquery is not None else "false"
    rank = f"ts_rank_cd(d.document, {_TSQ})" if query.tsquery is not None else "0.0"
    tier = (
        "CASE WHEN d.match_key = lower(CAST(:q AS text)) THEN 0 "
        "WHEN d.match_key LIKE CAST(:prefix AS text) THEN 1 "
        f"WHEN {full_text} THEN 2 ELSE 3 END"
    )
    # Similarity only orders what full text did not find (and costs the most to compute).
    return (
        f"{tier} AS tier, "
        f"CAST(CASE WHEN {full_text} THEN {rank} ELSE 0 END AS float8) AS rank, "
        f"CAST(CASE WHEN {tier} = 3 THEN word_similarity(CAST(:q AS text), d.search_text) "
        "ELSE 0 END AS float8) AS similarity"
    )


def _candidates(kind: str, where: str, query: SearchQuery, ranking: str) -> str:
    """CTEs ``<kind>_strong`` (name and full-text matches) and ``<kind>_hits``: the rows
    (with their ranking) the category's result is chosen from."""
    category = _CATEGORIES[kind]

    def scan(condition: str) -> str:
        return (
            f"(SELECT d.kind, d.entity_id, d.title, d.description, d.status, d.project_id, "
            f"{category.project_name} AS project_name, d.task_id, d.task_name, "
            f"d.duration_seconds, d.started_at, {ranking} FROM {category.source} "
            f"WHERE {where} AND {condition} LIMIT :candidates)"
        )

    strong = [scan(_NAME_RANGE)]
    if query.tsquery is not None:
        strong.append(scan(f"d.document @@ {_TSQ}"))
    weak = [scan("CAST(:q AS text) <% d.search_text")]
    if query.substring_pattern is not None:
        weak.append(scan("d.search_text ILIKE CAST(:substring AS text)"))
    return f"""{kind}_strong AS ({" UNION ".join(strong)}),
{kind}_hits AS (
    SELECT {_COLUMNS} FROM {kind}_strong
    UNION
    SELECT {_COLUMNS} FROM ({" UNION ".join(weak)}) weak
    WHERE (SELECT count(*) FROM {kind}_strong) < :limit
)"""


_ORDER = "ORDER BY tier, rank DESC, similarity DESC"
_OUTPUT = "h.title, h.description, h.status, h.project_name, h.task_name, h.duration_seconds"


def _ranked(kind: str) -> str:
    """The best ``limit`` of a category's candidates, in ``Hit``'s columns."""
    if kind != "entry":
        return f"""(SELECT h.kind, h.entity_id, {_OUTPUT}, h.started_at, h.tier, h.rank,
        h.similarity
    FROM {kind}_hits h {_ORDER}, h.entity_id DESC LIMIT :limit)"""
    # An entry shows its project's and task's current names when the index has them.
    return f"""(SELECT e.kind, e.entity_id, '', e.description, NULL::text,
        COALESCE(p.title, e.project_name), COALESCE(t.title, e.task_name),
        e.duration_seconds, e.started_at, e.tier, e.rank, e.similarity
    FROM (
        SELECT * FROM entry_hits h
        {_ORDER}, h.started_at DESC NULLS LAST, h.entity_id DESC LIMIT :limit
    ) e
    LEFT JOIN search_documents p ON p.kind = 'project' AND p.entity_id = e.project_id
    LEFT JOIN search_documents t ON t.kind = 'task' AND t.entity_id = e.task_id)"""


async def find_hits(
    db: AsyncConnection,
    query: SearchQuery,
    kinds: Sequence[str],
    limit: int,
    *,
    candidates: int,
    viewer_id: int,
    sees_every_entry: bool,
) -> list[Hit]:
    """Up to ``limit`` hits of each kind in ``kinds``, unordered across kinds."""
    ranking = _ranking(query)
    ctes = []
    for kind in kinds:
        where = _CATEGORIES[kind].where
        if kind == "entry" and not sees_every_entry:
            where += _OWN_ENTRIES
        ctes.append(_candidates(kind, where, query, ranking))
    ranked = "\nUNION ALL\n".join(_ranked(kind) for kind in kinds)
    sql = "WITH " + ",\n".join(ctes) + "\n" + ranked
    params: dict[str, Any] = {
        "q": query.text,
        "prefix": query.prefix_pattern,
        "name_from": query.name_from,
        "name_to": query.name_to,
        "limit": limit,
        "candidates": max(candidates, limit),
    }
    if query.tsquery is not None:
        params["tsq"] = query.tsquery
    if query.substring_pattern is not None:
        params["substring"] = query.substring_pattern
    if "entry" in kinds and not sees_every_entry:
        params["owner_id"] = viewer_id
    rows = (await db.execute(text(sql), params)).all()
    # Every branch selects the same columns in Hit's order.
    return [Hit(*row) for row in rows]
