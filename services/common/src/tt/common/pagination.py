"""Pagination as docs/api.md §5 defines it: ``page`` (1), ``per_page`` (50, larger
than 100 is clamped), and the ``pagination`` object every list answer carries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Query

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100


@dataclass(frozen=True, slots=True)
class PageParams:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


async def page_params(
    page: int = Query(1, ge=1, le=1_000_000, description="Page number, from 1"),
    per_page: int = Query(DEFAULT_PER_PAGE, ge=1, description="Items per page (max 100)"),
) -> PageParams:
    """FastAPI dependency: validated page parameters, ``per_page`` clamped to 100.
    ``async`` like every dependency here: FastAPI runs plain ``def`` ones in a thread."""
    return PageParams(page=page, per_page=min(per_page, MAX_PER_PAGE))


def pagination(params: PageParams, total: int) -> dict[str, Any]:
    """The ``pagination`` object for ``total`` items."""
    pages = (total + params.per_page - 1) // params.per_page if total else 0
    has_next = params.page < pages
    has_prev = params.page > 1
    return {
        "page": params.page,
        "per_page": params.per_page,
        "total": total,
        "pages": pages,
        "has_next": has_next,
        "has_prev": has_prev,
        "next_page": params.page + 1 if has_next else None,
        "prev_page": params.page - 1 if has_prev else None,
    }


def paginated(key: str, items: list[Any], params: PageParams, total: int) -> dict[str, Any]:
    """``{key: items, "pagination": {...}}``."""
    return {key: items, "pagination": pagination(params, total)}
