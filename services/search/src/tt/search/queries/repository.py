# ruff: noqa: S608 -- the SQL is assembled from constant fragments; every value is bound.
"""The search query: one prepared statement, one round trip; per category, a bounded set
of candidates taken newest first, then ranked.

Matching is any of: the name (an entry's notes) starting with the query, every word as
a full-text prefix (*strong* matches); or, only when those are fewer than ``limit``, the
query as a substring (as the reference product's ILIKE search finds it) or every word
as itself or a similar word of the index (a typo, looked up in ``search_words`` by
trigram similarity) (*weak* matches).

Ranking within a category: an exact match of the name first, then a name starting with
the query, then full-text matches by weighted rank (names weigh more than descriptions),
then weak matches by ``word_similarity``; ties newest first.

Candidates: the newest ``candidates`` matches of a category (entries by start time, the
other kinds by id). They are looked for among the category's newest ``probe_rows`` rows
first, walking its recency index and testing each row (a common word finds its
candidates after a few hundred rows); only when fewer than ``limit`` of those match, and
the category holds more rows than were walked, are the matches taken from the full-text,
name and trigram indexes and the newest kept (a rare word: a small bitmap). No query
builds a bitmap of every match of a common word (that was most of a search's cost), and
none compares every document with the query. In particular a user's search of their own
few entries never reads the other users' entries that match: a word common in theirs
would otherwise cost a bitmap of all of those.

The statement's shape depends only on which categories and which forms of the query
there are, so each shape is prepared once per connection and planned generically: every
scan is written so that its plan does not depend on the values (the newest rows by
index; the fallback fenced off so that it is never turned into a walk of every row).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from tt.search.queries.parsing import MIN_TYPO_WORD_LENGTH, SearchQuery


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
    where: str  # which rows of the category may be found (the row is ``d``)
    recency: str  # newest first, as one of the category's indexes gives them
    join: str = ""  # added to FROM after ``d``
    project_name: str = "d.project_name"  # what a result shows as its project's name


_CATEGORIES = {
    "project": _Category("d.kind = 'project' AND d.status = 'active'", "{t}.entity_id DESC"),
    # Only tasks of active projects; a task shows its project's current name, looked up
    # per candidate (OFFSET 0 keeps it a key lookup per row).
    "task": _Category(
        "d.kind = 'task'",
        "{t}.entity_id DESC",
        join="CROSS JOIN LATERAL (SELECT p.title FROM search_documents p "
        "WHERE p.kind = 'project' AND p.entity_id = d.project_id AND p.status = 'active' "
        "OFFSET 0) p",
        project_name="p.title",
    ),
    "client": _Category("d.kind = 'client'", "{t}.entity_id DESC"),
    # Finished entries only (as the reference product); a non-admin's own only.
    "entry": _Category(
        "d.kind = 'entry' AND NOT d.is_running",
        "{t}.started_at DESC NULLS LAST, {t}.entity_id DESC",
    ),
}
_OWN_ENTRIES = " AND d.owner_id = CAST(:owner_id AS bigint)"

_TSQ = "(SELECT tsq FROM query)"
_TYPO_TSQ = "(SELECT tsq FROM typo)"
# Names starting with the query: a range in byte order (as the index is).
_NAME_RANGE = (
    '(d.match_key COLLATE "C" >= CAST(:name_from AS text) '
    'AND d.match_key COLLATE "C" < CAST(:name_to AS text))'
)
_CANDIDATE_COLUMNS = (
    "d.kind, d.entity_id, d.title, d.description, d.status, d.project_id, "
    "{project_name} AS project_name, d.task_id, d.task_name, d.duration_seconds, "
    "d.started_at, d.match_key, d.document, d.search_text"
)
# The query's tsquery, parsed once per statement (an InitPlan), not once per row.
_QUERY_CTE = "query AS (SELECT to_tsquery('simple', CAST(:tsq AS text)) AS tsq)"
# Each word as a prefix or as one of its most similar words of the index (a typo):
# ('word':* | 'wrod' | ...) & ... Words of the index hold no quote or punctuation.
_TYPO_CTE = f"""typo AS (
    SELECT to_tsquery('simple', string_agg(alternatives, ' & ')) AS tsq FROM (
        SELECT '(' || string_agg(term, ' | ') || ')' AS alternatives FROM (
            SELECT w.i, '''' || w.word || ''':*' AS term
            FROM unnest(CAST(:words AS text[])) WITH ORDINALITY AS w(word, i)
            UNION ALL
            SELECT w.i, '''' || s.word || ''''
            FROM unnest(CAST(:words AS text[])) WITH ORDINALITY AS w(word, i)
            CROSS JOIN LATERAL (
                SELECT s.word FROM search_words s
                WHERE length(w.word) >= {MIN_TYPO_WORD_LENGTH} AND w.word <% s.word
                ORDER BY word_similarity(w.word, s.word) DESC, s.word LIMIT :similar_words
            ) s
        ) terms GROUP BY i
    ) per_word
)"""


@dataclass(frozen=True, slots=True)
class Shape:
    """What the statement's text depends on (each shape is prepared once)."""

    kinds: tuple[str, ...]
    full_text: bool
    substring: bool
    typos: bool
    own_entries: bool
    candidates: int
    probe_rows: int


def _strong_condition(shape: Shape) -> str:
    return f"({_NAME_RANGE} OR d.document @@ {_TSQ})" if shape.full_text else _NAME_RANGE


def _weak_condition(shape: Shape) -> str | None:
    forms = []
    if shape.substring:
        forms.append("d.search_text ILIKE CAST(:substring AS text)")
    if shape.typos:
        forms.append(f"d.document @@ {_TYPO_TSQ}")
    if not forms:
        return None
    return f"({' OR '.join(forms)}) AND NOT {_strong_condition(shape)}"


def _visible(kind: str, shape: Shape) -> str:
    """Which rows of the category the viewer may find (the row is ``d``)."""
    own = _OWN_ENTRIES if kind == "entry" and shape.own_entries else ""
    return _CATEGORIES[kind].where + own


def _newest_matches(kind: str, name: str, condition: str, gate: str, shape: Shape) -> str:
    """CTEs ``<name>_probe`` and ``<name>``: the newest ``candidates`` rows of the category
    matching ``condition`` (only when ``gate`` holds)."""
    category = _CATEGORIES[kind]
    where = _visible(kind, shape)
    columns = _CANDIDATE_COLUMNS.format(project_name=category.project_name)
    n = shape.candidates
    # The newest rows by index, each tested: bounded by probe_rows whatever the query.
    probe = f"""{name}_probe AS MATERIALIZED (
    SELECT {columns} FROM (
        SELECT * FROM search_documents d WHERE {where}
        ORDER BY {category.recency.format(t="d")} LIMIT {shape.probe_rows}
    ) d {category.join}
    WHERE {gate} AND {condition} LIMIT {n}
)"""
    # Too few among the newest rows, and rows the probe did not reach: every match from
    # the indexes (OFFSET 0: found first, then sorted; never a walk of the recency index
    # testing every row). Each condition is an InitPlan, run only when reached.
    enough = f"(SELECT count(*) FROM {name}_probe) >= CAST(:limit AS bigint)"
    walked_all = f"(SELECT n FROM {kind}_rows) <= {shape.probe_rows}"
    fallback = f"""SELECT * FROM (
        SELECT {columns} FROM search_documents d {category.join}
        WHERE {where} AND {gate} AND NOT {enough} AND NOT {walked_all} AND {condition}
        OFFSET 0
    ) f ORDER BY {category.recency.format(t="f")} LIMIT {n}"""
    return f"""{probe},
{name} AS (
    SELECT * FROM {name}_probe WHERE {enough} OR {walked_all}
    UNION ALL
    ({fallback})
)"""


def _row_count(kind: str, shape: Shape) -> str:
    """CTE ``<kind>_rows``: how many rows of the category the viewer may find, counted up
    to one more than a probe walks (so: did the probe see them all?)."""
    where = _visible(kind, shape)
    return f"""{kind}_rows AS (
    SELECT count(*) AS n FROM (
        SELECT 1 FROM search_documents d WHERE {where} LIMIT {shape.probe_rows + 1}
    ) r
)"""


def _ranked(kind: str, shape: Shape) -> str:
    """The best ``limit`` of a category's candidates, in ``Hit``'s columns."""
    rank = f"ts_rank_cd(t.document, {_TSQ})" if shape.full_text else "0"
    full_text = f"c.document @@ {_TSQ}" if shape.full_text else "false"
    tier = (
        "CASE WHEN c.match_key = CAST(:name_from AS text) THEN 0 "
        f"WHEN {_NAME_RANGE.replace('d.', 'c.')} THEN 1 "
        f"WHEN {full_text} THEN 2 ELSE 3 END"
    )
    weak = f"UNION ALL SELECT * FROM {kind}_weak" if _weak_condition(shape) else ""
    scored = f"""SELECT t.*,
        CAST(CASE WHEN t.tier < 3 THEN {rank} ELSE 0 END AS float8) AS rank,
        CAST(CASE WHEN t.tier = 3 THEN word_similarity(CAST(:q AS text), t.search_text)
            ELSE 0 END AS float8) AS similarity
    FROM (SELECT c.*, {tier} AS tier FROM (SELECT * FROM {kind}_strong {weak}) c) t"""
    order = "h.tier, h.rank DESC, h.similarity DESC"
    output = "h.title, h.description, h.status, h.project_name, h.task_name, h.duration_seconds"
    if kind != "entry":
        return f"""(SELECT h.kind, h.entity_id, {output}, h.started_at, h.tier, h.rank,
        h.similarity
    FROM ({scored}) h ORDER BY {order}, h.entity_id DESC LIMIT CAST(:limit AS bigint))"""
    # An entry shows its project's and task's current names when the index has them.
    return f"""(SELECT e.kind, e.entity_id, '', e.description, NULL::text,
        COALESCE(p.title, e.project_name), COALESCE(t.title, e.task_name),
        e.duration_seconds, e.started_at, e.tier, e.rank, e.similarity
    FROM (
        SELECT * FROM ({scored}) h
        ORDER BY {order}, h.started_at DESC NULLS LAST, h.entity_id DESC
        LIMIT CAST(:limit AS bigint)
    ) e
    LEFT JOIN search_documents p ON p.kind = 'project' AND p.entity_id = e.project_id
    LEFT JOIN search_documents t ON t.kind = 'task' AND t.entity_id = e.task_id)"""


_NAMED = re.compile(r"(?<![:\w]):([a-z_]+)")


@lru_cache(maxsize=256)
def statement(shape: Shape) -> tuple[str, tuple[str, ...]]:
    """The SQL of a shape with ``$n`` placeholders, and the names bound to them in order."""
    ctes = []
    if shape.full_text:
        ctes.append(_QUERY_CTE)
    if shape.typos:
        ctes.append(_TYPO_CTE)
    weak_condition = _weak_condition(shape)
    for kind in shape.kinds:
        ctes.append(_row_count(kind, shape))
        ctes.append(
            _newest_matches(kind, f"{kind}_strong", _strong_condition(shape), "true", shape)
        )
        if weak_condition:
            gate = f"(SELECT count(*) FROM {kind}_strong) < CAST(:limit AS bigint)"
            ctes.append(_newest_matches(kind, f"{kind}_weak", weak_condition, gate, shape))
    sql = (
        "WITH "
        + ",\n".join(ctes)
        + "\n"
        + "\nUNION ALL\n".join(_ranked(kind, shape) for kind in shape.kinds)
    )
    names: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    return _NAMED.sub(placeholder, sql), tuple(names)


# Prepared statements per connection and SQL text. asyncpg's own cache skips statements
# over 15 kB (the four-category one is ~16 kB): each would be parsed and planned again.
_PREPARED: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


async def _prepared(db: Any, sql: str) -> Any:
    statements = _PREPARED.setdefault(db, {})
    if sql not in statements:
        statements[sql] = await db.prepare(sql)
    return statements[sql]


async def find_hits(
    db: Any, query: SearchQuery, kinds: Sequence[str], limit: int, **bounds: Any
) -> list[Hit]:
    """Up to ``limit`` hits of each kind in ``kinds``, unordered across kinds (``bounds``:
    those of ``bound_statement``); ``db`` is an asyncpg connection (each shape is prepared
    once on it)."""
    sql, values = bound_statement(query, kinds, limit, **bounds)
    rows = await (await _prepared(db, sql)).fetch(*values)
    # Every branch selects the same columns in Hit's order.
    return [Hit(*row) for row in rows]


def bound_statement(
    query: SearchQuery,
    kinds: Sequence[str],
    limit: int,
    *,
    candidates: int,
    probe_rows: int,
    similar_words: int,
    viewer_id: int,
    sees_every_entry: bool,
) -> tuple[str, list[Any]]:
    """The statement of a search and the values bound to its placeholders."""
    typo_words = [w for w in query.words if len(w) >= MIN_TYPO_WORD_LENGTH]
    shape = Shape(
        kinds=tuple(kinds),
        full_text=query.tsquery is not None,
        substring=query.substring_pattern is not None,
        typos=bool(typo_words),
        own_entries="entry" in kinds and not sees_every_entry,
        candidates=max(candidates, limit),
        probe_rows=max(probe_rows, candidates, limit),
    )
    sql, names = statement(shape)
    values: dict[str, Any] = {
        "q": query.text,
        "name_from": query.name_from,
        "name_to": query.name_to,
        "limit": limit,
        "tsq": query.tsquery,
        "substring": query.substring_pattern,
        "words": list(query.words),
        "similar_words": similar_words,
        "owner_id": viewer_id,
    }
    return sql, [values[name] for name in names]
