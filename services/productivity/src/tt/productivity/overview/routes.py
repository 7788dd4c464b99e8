"""HTTP for the dashboard's stats and sparklines: the session routes and their /api/v1
token successors, cached per user like the productivity stats."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from tt.common.openapi import errors
from tt.productivity.overview import service
from tt.productivity.overview.schemas import DashboardStats, Sparklines
from tt.productivity.stats.schemas import CACHED
from tt.productivity.web import (
    SESSION_ONLY,
    Rt,
    SessionUser,
    TokenUser,
    json_response,
)

router = APIRouter(tags=["Dashboard"])

AsOf = Annotated[
    str | None,
    Query(
        alias="date",
        description="Your local day (YYYY-MM-DD) to end on instead of today; not in the future",
    ),
]

DOC = {**CACHED, **errors(400, e400="date is not a day as YYYY-MM-DD, or is in the future")}


@router.get(
    "/api/dashboard/stats",
    summary="Today's, this week's and this month's hours (session; deprecated)",
    response_model=DashboardStats,
    responses=DOC,
    deprecated=True,
    openapi_extra=SESSION_ONLY,
)
async def legacy_dashboard_stats(rt: Rt, identity: SessionUser, day: AsOf = None) -> Response:
    return json_response(await service.dashboard_stats_answer(rt, identity, day))


@router.get(
    "/api/v1/dashboard/stats",
    summary="Today's, this week's and this month's hours",
    response_model=DashboardStats,
    responses=DOC,
)
async def dashboard_stats(rt: Rt, identity: TokenUser, day: AsOf = None) -> Response:
    return json_response(await service.dashboard_stats_answer(rt, identity, day))


@router.get(
    "/api/dashboard/sparklines",
    summary="The last 7 days' hours (session; deprecated)",
    response_model=Sparklines,
    responses=DOC,
    deprecated=True,
    openapi_extra=SESSION_ONLY,
)
async def legacy_sparklines(rt: Rt, identity: SessionUser, day: AsOf = None) -> Response:
    return json_response(await service.sparklines_answer(rt, identity, day))


@router.get(
    "/api/v1/dashboard/sparklines",
    summary="The last 7 days' hours",
    response_model=Sparklines,
    responses=DOC,
)
async def sparklines(rt: Rt, identity: TokenUser, day: AsOf = None) -> Response:
    return json_response(await service.sparklines_answer(rt, identity, day))
