"""``GET /api/v1/search`` (token, ``read:projects``) and legacy ``GET /api/search``
(browser session): the same search; only short queries differ (v1 400, legacy 200
with no results), as the reference product does."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from tt.common.app import resources
from tt.common.db import raw_connection
from tt.common.errors import InsufficientScope
from tt.common.identity import Identity, require_auth_method, require_scope
from tt.common.openapi import errors
from tt.common.responses import JSONResponse
from tt.search.queries import service
from tt.search.queries.parsing import (
    DEFAULT_LIMIT,
    MIN_QUERY_LENGTH,
    build_query,
    check_length,
    clamp_limit,
    normalise,
    parse_types,
)
from tt.search.queries.schemas import SearchResponse
from tt.search.queries.views import search_answer
from tt.search.settings import SearchSettings

# TT_SEARCH_MAX_QUERY_LENGTH's default, for the document (built without an environment).
DOCUMENTED_MAX_QUERY_LENGTH = SearchSettings.model_fields["max_query_length"].default

router = APIRouter(tags=["search"])

# The length rule is checked by the route (after trimming, with its own error message);
# the document states it so that generated clients and tests send queries that search.
V1_QUERY_TEXT_DOC = {"minLength": MIN_QUERY_LENGTH, "maxLength": DOCUMENTED_MAX_QUERY_LENGTH}
QueryText = Annotated[
    str | None,
    Query(description="Search query (2 to 200 characters)", json_schema_extra=V1_QUERY_TEXT_DOC),
]
LegacyQueryText = Annotated[
    str | None, Query(description="Search query; under 2 characters answers no results")
]
Limit = Annotated[
    int,
    Query(ge=1, description="Results per category (default 10; larger than 50 is clamped)"),
]
Types = Annotated[
    str | None, Query(description="Comma list of types: project, task, client, entry")
]
RESULTS = "Results, best first within each category"
DOCUMENTED = errors(
    400,
    e400="q, limit or types",
    e403="a type named in types (or, for v1, projects) without its read scope",
)


# The scope each result type needs: search shows nothing a route of its own would not.
KIND_SCOPES = {
    "project": "read:projects",
    "task": "read:tasks",
    "client": "read:clients",
    "entry": "read:time_entries",
}


def readable_kinds(identity: Identity, kinds: tuple[str, ...], *, named: bool) -> tuple[str, ...]:
    """The kinds ``identity`` may read: a type asked for by name without its scope is a
    403; when none is named, the unreadable ones are left out."""
    for kind in kinds:
        if named and not identity.has_scope(KIND_SCOPES[kind]):
            raise InsufficientScope(KIND_SCOPES[kind], identity.scopes)
    return tuple(k for k in kinds if identity.has_scope(KIND_SCOPES[k]))


async def _run(
    request: Request, identity: Identity, text: str, limit: int, types: str | None
) -> JSONResponse:
    # Input is checked before a database connection is taken.
    settings: SearchSettings = request.app.state.settings
    check_length(text, settings.max_query_length)
    kinds = readable_kinds(identity, parse_types(types), named=bool(types and types.strip()))
    if not kinds:
        return search_answer(text, [])
    # One prepared SELECT outside a transaction, on the bare asyncpg connection.
    async with raw_connection(resources(request).engine) as db:
        results = await service.search(
            db,
            build_query(text),
            kinds,
            clamp_limit(limit),
            identity,
            candidates=settings.ranked_candidates,
            probe_rows=settings.probe_rows,
            similar_words=settings.similar_words,
        )
    return search_answer(text, results)


@router.get(
    "/api/v1/search",
    summary="Global search",
    response_model=SearchResponse,
    response_description=RESULTS,
    responses=DOCUMENTED,
)
async def search_v1(
    request: Request,
    identity: Annotated[Identity, Depends(require_scope("read:projects"))],
    q: QueryText = None,
    limit: Limit = DEFAULT_LIMIT,
    types: Types = None,
) -> JSONResponse:
    """Projects (active only) and their tasks by name and description, clients by name,
    email and company, time entries by notes and tags (the caller's own unless admin).
    Exact and prefix matches first, then full-text rank, then substrings and words
    similar to each word of the query (typos); ties newest first. A query matching many
    rows of a category ranks its newest matches only (entries by start time).
    `q` must have 2 to 200 characters; `limit` (results per category) larger than 50 is
    clamped; `types` is a comma list of project, task, client, entry."""
    return await _run(request, identity, normalise(q), limit, types)


@router.get(
    "/api/search",
    summary="Global search (legacy, browser session; deprecated)",
    response_model=SearchResponse,
    response_description=RESULTS,
    responses=DOCUMENTED,
    deprecated=True,
    openapi_extra={"security": [{"session": []}]},
)
async def search_legacy(
    request: Request,
    identity: Annotated[Identity, Depends(require_auth_method("session"))],
    q: LegacyQueryText = None,
    limit: Limit = DEFAULT_LIMIT,
    types: Types = None,
) -> JSONResponse:
    """As `GET /api/v1/search`, for the browser; a query shorter than 2 characters answers
    200 with no results."""
    text = normalise(q)
    if len(text) < MIN_QUERY_LENGTH:
        parse_types(types)
        return search_answer(text, [])
    return await _run(request, identity, text, limit, types)
