"""The global search use case: ranked hits per category, shaped as the reference
product answers them (seed 002: ``type``, ``category``, ``id``, ``title``,
``description``, ``url``, ``badge``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tt.common.identity import Identity
from tt.search.documents.indexing import KINDS
from tt.search.queries.parsing import SearchQuery
from tt.search.queries.repository import Hit, find_hits

_URL_PREFIX = {
    "project": "/projects",
    "task": "/tasks",
    "client": "/clients",
    "entry": "/timer/edit",
}
_OLDEST = float("-inf")


def _duration(seconds: int | None) -> str:
    total = max(seconds or 0, 0)
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def _entry_title(hit: Hit) -> str:
    parts = [hit.project_name] if hit.project_name else []
    if hit.task_name:
        parts.append(f"• {hit.task_name}")
    return " ".join(parts) or "Time Entry"


def _result(hit: Hit) -> dict[str, Any]:
    if hit.kind == "task":
        title, description = hit.title, hit.project_name or "No Project"
        badge = hit.status.replace("_", " ").title() if hit.status else "Task"
    elif hit.kind == "entry":
        title, description, badge = (
            _entry_title(hit),
            hit.description,
            _duration(hit.duration_seconds),
        )
    else:
        title, description, badge = hit.title, hit.description, hit.kind.title()
    return {
        "type": hit.kind,
        "category": hit.kind,
        "id": hit.id,
        "title": title,
        "description": description,
        "url": f"{_URL_PREFIX[hit.kind]}/{hit.id}",
        "badge": badge,
    }


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
    return [_result(hit) for hit in sorted(hits, key=_order)]
