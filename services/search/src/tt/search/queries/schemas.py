"""The answer of both search routes, for the OpenAPI document."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Kind = Literal["project", "task", "client", "entry"]


class SearchResult(BaseModel):
    type: Kind
    category: Kind
    id: int
    title: str
    description: str
    url: str
    badge: str


class SearchResponse(BaseModel):
    results: list[SearchResult]
    query: str
    count: int


class ErrorBody(BaseModel):
    """docs/api.md §2: ``errors`` on ``validation_error``, ``required_scope`` and
    ``available_scopes`` on a missing scope."""

    error: str
    message: str
    error_code: str
    errors: dict[str, list[str]] | None = None
    required_scope: str | None = None
    available_scopes: list[str] | None = None
