"""HTTP for the stats: the legacy session routes and their /api/v1 token successors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from tt.common.identity import Identity
from tt.productivity.cache import STATS, VALUE
from tt.productivity.stats import service
from tt.productivity.stats.schemas import CACHE_HEADER, ProductivityStats, ValueDashboard
from tt.productivity.stats.service import DEFAULT_PERIOD, MAX_PERIOD
from tt.productivity.web import (
    DocumentedJSON,
    SessionUser,
    TokenUser,
    cached_body,
    cached_response,
    json_response,
    settings_of,
)

router = APIRouter(tags=["Productivity"])

Period = Annotated[
    int, Query(description="Days for focus metrics and the project breakdown (1-90)")
]


async def stats_body(request: Request, identity: Identity, period: int) -> tuple[bytes, str]:
    """The stats JSON for ``period`` days (clamped to 1-90, as TimeTracker does)."""
    period = max(1, min(period, MAX_PERIOD))
    return await cached_body(
        request,
        identity,
        kind=STATS,
        variant=str(period),
        ttl=settings_of(request).stats_cache_seconds,
        compute=lambda session, viewer: service.productivity_stats(session, viewer, period),
    )


async def _stats(request: Request, identity: Identity, period: int) -> Response:
    return json_response(*await stats_body(request, identity, period))


async def _value(request: Request, identity: Identity) -> Response:
    currency = settings_of(request).currency
    return await cached_response(
        request,
        identity,
        kind=VALUE,
        variant="all",
        ttl=settings_of(request).value_cache_seconds,
        compute=lambda session, viewer: service.value_dashboard(session, viewer, currency),
    )


STATS_DOC: dict[int | str, dict[str, Any]] = {
    200: {"model": ProductivityStats, "headers": CACHE_HEADER}
}
VALUE_DOC: dict[int | str, dict[str, Any]] = {
    200: {"model": ValueDashboard, "headers": CACHE_HEADER}
}


@router.get(
    "/api/productivity/stats",
    summary="Personal productivity stats (session; deprecated)",
    responses=STATS_DOC,
    response_model=None,
    response_class=DocumentedJSON,
    deprecated=True,
)
async def legacy_productivity_stats(
    request: Request, identity: SessionUser, period: Period = DEFAULT_PERIOD
) -> Response:
    return await _stats(request, identity, period)


@router.get(
    "/api/v1/productivity/stats",
    summary="Personal productivity stats",
    responses=STATS_DOC,
    response_model=None,
    response_class=DocumentedJSON,
)
async def productivity_stats(
    request: Request, identity: TokenUser, period: Period = DEFAULT_PERIOD
) -> Response:
    return await _stats(request, identity, period)


@router.get(
    "/api/stats/value-dashboard",
    summary="Value dashboard aggregates (session; deprecated)",
    responses=VALUE_DOC,
    response_model=None,
    response_class=DocumentedJSON,
    deprecated=True,
)
async def legacy_value_dashboard(request: Request, identity: SessionUser) -> Response:
    return await _value(request, identity)


@router.get(
    "/api/v1/stats/value-dashboard",
    summary="Value dashboard aggregates",
    responses=VALUE_DOC,
    response_model=None,
    response_class=DocumentedJSON,
)
async def value_dashboard(request: Request, identity: TokenUser) -> Response:
    return await _value(request, identity)
