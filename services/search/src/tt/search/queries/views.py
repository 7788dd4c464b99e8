"""The shapes of a search answer, as the reference product answers them (seed 002:
``type``, ``category``, ``id``, ``title``, ``description``, ``url``, ``badge``)."""

from __future__ import annotations

from typing import Any

from tt.common.responses import JSONResponse
from tt.search.queries.repository import Hit

_URL_PREFIX = {
    "project": "/projects",
    "task": "/tasks",
    "client": "/clients",
    "entry": "/timer/edit",
}


def _duration(seconds: int | None) -> str:
    total = max(seconds or 0, 0)
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def _entry_title(hit: Hit) -> str:
    parts = [hit.project_name] if hit.project_name else []
    if hit.task_name:
        parts.append(f"• {hit.task_name}")
    return " ".join(parts) or "Time Entry"


def result_view(hit: Hit) -> dict[str, Any]:
    """One result: a task shows its project and status, an entry "project • task", its
    notes and duration; the rest their name, description and kind."""
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


def search_answer(query: str, results: list[dict[str, Any]]) -> JSONResponse:
    """The answer of both search routes (``SearchResponse``), serialised once."""
    return JSONResponse({"results": results, "query": query, "count": len(results)})
