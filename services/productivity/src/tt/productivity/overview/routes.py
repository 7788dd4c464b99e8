"""HTTP for the dashboard's stats and sparklines: the session routes and their /api/v1
token successors, cached per user like the productivity stats."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from tt.common.identity import Identity
from tt.productivity.cache import DASHBOARD
from tt.productivity.overview import service
from tt.productivity.overview.schemas import DashboardStats, Sparklines
from tt.productivity.stats.schemas import CACHE_HEADER
from tt.productivity.web import (
    DocumentedJSON,
    SessionUser,
    TokenUser,
    cached_response,
    settings_of,
)

router = APIRouter(tags=["Dashboard"])

AsOf = Annotated[
    str | None,
    Query(
        alias="date",
        description="Your local day (YYYY-MM-DD) to end on instead of today; not in the future",
    ),
]

STATS_DOC: dict[int | str, dict[str, Any]] = {
    200: {"model": DashboardStats, "headers": CACHE_HEADER}
}
SPARK_DOC: dict[int | str, dict[str, Any]] = {200: {"model": Sparklines, "headers": CACHE_HEADER}}


async def _stats(request: Request, identity: Identity, raw_day: str | None) -> Response:
    day = service.parse_day(raw_day)
    return await cached_response(
        request,
        identity,
        kind=DASHBOARD,
        variant=f"stats:{day or 'today'}",
        ttl=settings_of(request).stats_cache_seconds,
        compute=lambda session, viewer: service.dashboard_stats(session, viewer, day),
    )


async def _sparklines(request: Request, identity: Identity, raw_day: str | None) -> Response:
    day = service.parse_day(raw_day)
    return await cached_response(
        request,
        identity,
        kind=DASHBOARD,
        variant=f"sparklines:{day or 'today'}",
        ttl=settings_of(request).stats_cache_seconds,
        compute=lambda session, viewer: service.sparklines(session, viewer, day),
    )


@router.get(
    "/api/dashboard/stats",
    summary="Today's, this week's and this month's hours (session; deprecated)",
    responses=STATS_DOC,
    response_model=None,
    response_class=DocumentedJSON,
    deprecated=True,
)
async def legacy_dashboard_stats(
    request: Request, identity: SessionUser, day: AsOf = None
) -> Response:
    return await _stats(request, identity, day)


@router.get(
    "/api/v1/dashboard/stats",
    summary="Today's, this week's and this month's hours",
    responses=STATS_DOC,
    response_model=None,
    response_class=DocumentedJSON,
)
async def dashboard_stats(request: Request, identity: TokenUser, day: AsOf = None) -> Response:
    return await _stats(request, identity, day)


@router.get(
    "/api/dashboard/sparklines",
    summary="The last 7 days' hours (session; deprecated)",
    responses=SPARK_DOC,
    response_model=None,
    response_class=DocumentedJSON,
    deprecated=True,
)
async def legacy_sparklines(request: Request, identity: SessionUser, day: AsOf = None) -> Response:
    return await _sparklines(request, identity, day)


@router.get(
    "/api/v1/dashboard/sparklines",
    summary="The last 7 days' hours",
    responses=SPARK_DOC,
    response_model=None,
    response_class=DocumentedJSON,
)
async def sparklines(request: Request, identity: TokenUser, day: AsOf = None) -> Response:
    return await _sparklines(request, identity, day)
