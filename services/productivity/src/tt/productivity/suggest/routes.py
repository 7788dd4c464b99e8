"""HTTP for the suggestions: the session route and its /api/v1 token successor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tt.common.openapi import errors
from tt.common.responses import JSONResponse
from tt.productivity.suggest.schemas import Suggestions
from tt.productivity.suggest.service import suggestions_for
from tt.productivity.web import SESSION_ONLY, Rt, SessionUser, TokenUser

router = APIRouter(tags=["Dashboard"])

Needle = Annotated[
    str, Query(max_length=200, description="Keep pairs whose project or task name contains it")
]
Limit = Annotated[int, Query(ge=1, le=20)]
DOC = errors(400, e400="q longer than 200 characters, or limit not 1-20")


@router.get(
    "/api/ai/suggest",
    summary="What to track next, from your recent entries (session; deprecated)",
    response_model=Suggestions,
    responses=DOC,
    deprecated=True,
    openapi_extra=SESSION_ONLY,
)
async def legacy_suggest(
    rt: Rt, identity: SessionUser, q: Needle = "", limit: Limit = 5
) -> JSONResponse:
    return JSONResponse(await suggestions_for(rt, identity, q, limit))


@router.get(
    "/api/v1/ai/suggest",
    summary="What to track next, from your recent entries",
    response_model=Suggestions,
    responses=DOC,
)
async def suggest(rt: Rt, identity: TokenUser, q: Needle = "", limit: Limit = 5) -> JSONResponse:
    return JSONResponse(await suggestions_for(rt, identity, q, limit))
