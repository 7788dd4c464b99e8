"""The global search use case: ranked hits per category, shaped as results
(``views.result_view``) in the order the caller sees them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tt.common.identity import Identity
from tt.search.documents.indexing import KINDS
from tt.search.queries.parsing import SearchQuery
from tt.search.queries.repository import Hit, find_hits
from tt.search.queries.views import result_view

_OLDEST = float("-inf")


def _order(hit: Hit) -> tuple[int, int, float, float, float, int]:
    started = hit.started_at.timestamp() if hit.started_at else _OLDEST
    return (KINDS.index(hit.kind), hit.tier, -hit.rank, -hit.similarity, -started, -hit.id)


async def search(
    db: Any,
    query: SearchQuery,
    kinds: Sequence[str],
    limit: int,
    viewer: Identity,
    *,
    candidates: int,
    probe_rows: int,
    similar_words: int,
) -> list[dict[str, Any]]:
    """Results for ``viewer``: projects, then tasks, clients and entries, best first
    (``db``: an asyncpg connection)."""
    hits = await find_hits(
        db,
        query,
        kinds,
        limit,
        candidates=candidates,
        probe_rows=probe_rows,
        similar_words=similar_words,
        viewer_id=viewer.user_id,
        sees_every_entry=viewer.acts_as_admin,
    )
    return [result_view(hit) for hit in sorted(hits, key=_order)]
