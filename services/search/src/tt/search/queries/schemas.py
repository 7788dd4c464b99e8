"""The answer of both search routes, for the OpenAPI document (the routes send it as
built by ``views.search_answer``; FastAPI does not serialise it again)."""

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
