"""HTTP for the suggestions: the session route and its /api/v1 token successor. Not
cached: the answer follows the hour, and it is one bounded query."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from tt.common.app import resources
from tt.common.db import unit_of_work
from tt.common.identity import Identity
from tt.productivity.stats import service as stats
from tt.productivity.suggest.schemas import Suggestions
from tt.productivity.suggest.service import suggestions
from tt.productivity.web import SNAPSHOT, SessionUser, TokenUser

router = APIRouter(tags=["Dashboard"])

Needle = Annotated[
    str, Query(max_length=200, description="Keep pairs whose project or task name contains it")
]
Limit = Annotated[int, Query(ge=1, le=20)]


async def _suggest(request: Request, identity: Identity, q: str, limit: int) -> dict[str, Any]:
    async with unit_of_work(resources(request).sessions) as session:
        await session.execute(SNAPSHOT)
        viewer = await stats.viewer_for(session, identity.user_id, identity.timezone)
        return await suggestions(session, viewer, q, limit)


@router.get(
    "/api/ai/suggest",
    summary="What to track next, from your recent entries (session; deprecated)",
    response_model=Suggestions,
    deprecated=True,
)
async def legacy_suggest(
    request: Request, identity: SessionUser, q: Needle = "", limit: Limit = 5
) -> dict[str, Any]:
    return await _suggest(request, identity, q, limit)


@router.get(
    "/api/v1/ai/suggest",
    summary="What to track next, from your recent entries",
    response_model=Suggestions,
)
async def suggest(
    request: Request, identity: TokenUser, q: Needle = "", limit: Limit = 5
) -> dict[str, Any]:
    return await _suggest(request, identity, q, limit)
