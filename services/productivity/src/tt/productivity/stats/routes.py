"""HTTP for the stats: the legacy session routes and their /api/v1 token successors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from tt.common.openapi import errors
from tt.productivity.stats import service
from tt.productivity.stats.schemas import CACHED, ProductivityStats, ValueDashboard
from tt.productivity.stats.service import DEFAULT_PERIOD
from tt.productivity.web import (
    SESSION_ONLY,
    Rt,
    SessionUser,
    TokenUser,
    json_response,
)

router = APIRouter(tags=["Productivity"])

Period = Annotated[
    int, Query(description="Days for focus metrics and the project breakdown (1-90)")
]

STATS_DOC = {**CACHED, **errors(400, e400="period is not a whole number")}
VALUE_DOC = {**CACHED, **errors()}


@router.get(
    "/api/productivity/stats",
    summary="Personal productivity stats (session; deprecated)",
    response_model=ProductivityStats,
    responses=STATS_DOC,
    deprecated=True,
    openapi_extra=SESSION_ONLY,
)
async def legacy_productivity_stats(
    rt: Rt, identity: SessionUser, period: Period = DEFAULT_PERIOD
) -> Response:
    return json_response(await service.stats_answer(rt, identity, period))


@router.get(
    "/api/v1/productivity/stats",
    summary="Personal productivity stats",
    response_model=ProductivityStats,
    responses=STATS_DOC,
)
async def productivity_stats(
    rt: Rt, identity: TokenUser, period: Period = DEFAULT_PERIOD
) -> Response:
    return json_response(await service.stats_answer(rt, identity, period))


@router.get(
    "/api/stats/value-dashboard",
    summary="Value dashboard aggregates (session; deprecated)",
    response_model=ValueDashboard,
    responses=VALUE_DOC,
    deprecated=True,
    openapi_extra=SESSION_ONLY,
)
async def legacy_value_dashboard(rt: Rt, identity: SessionUser) -> Response:
    return json_response(await service.value_answer(rt, identity))


@router.get(
    "/api/v1/stats/value-dashboard",
    summary="Value dashboard aggregates",
    response_model=ValueDashboard,
    responses=VALUE_DOC,
)
async def value_dashboard(rt: Rt, identity: TokenUser) -> Response:
    return json_response(await service.value_answer(rt, identity))
