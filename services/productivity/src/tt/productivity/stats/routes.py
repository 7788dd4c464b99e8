"""HTTP for the stats: the legacy session routes and their /api/v1 token successors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import JSONResponse as StarletteJSON
from starlette.responses import Response

from tt.common.app import resources
from tt.common.db import unit_of_work
from tt.common.errors import Unauthorized
from tt.common.identity import Identity, require_auth_method, require_scope
from tt.common.responses import json_default
from tt.productivity.cache import STATS, VALUE, AnalyticsCache
from tt.productivity.settings import ProductivitySettings
from tt.productivity.stats import service
from tt.productivity.stats.schemas import CACHE_HEADER, ProductivityStats, ValueDashboard
from tt.productivity.stats.service import DEFAULT_PERIOD, MAX_PERIOD, Computed, Viewer

router = APIRouter(tags=["Productivity"])

JSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC | orjson.OPT_NON_STR_KEYS


async def reports_token(identity: Identity = Depends(require_scope("read:reports"))) -> Identity:
    """/api/v1 takes API tokens only (CONTRACT 1), with ``read:reports``."""
    if identity.auth_method != "token":
        raise Unauthorized("This endpoint requires an API token", error="Authentication required")
    return identity


SessionUser = Annotated[Identity, Depends(require_auth_method("session"))]
TokenUser = Annotated[Identity, Depends(reports_token)]
Period = Annotated[
    int, Query(description="Days for focus metrics and the project breakdown (1-90)")
]


def settings_of(request: Request) -> ProductivitySettings:
    settings: ProductivitySettings = request.app.state.settings
    return settings


SNAPSHOT = text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
Compute = Callable[[AsyncSession, Viewer], Awaitable[Computed]]


async def cached_body(
    request: Request,
    identity: Identity,
    *,
    kind: str,
    variant: str,
    ttl: int,
    compute: Compute,
) -> tuple[bytes, str]:
    """The payload's JSON from Redis if fresh (``HIT``), else computed, and stored when it
    may be (``MISS``; ``BYPASS`` when it may not: a timer runs, or Redis is down).

    The database session is opened only on a miss: a hit is one Redis round trip."""
    res = resources(request)
    cache = AnalyticsCache(res.redis)
    found = await cache.lookup(kind, identity.user_id, variant, ttl)
    if found.body is not None:
        return found.body, "HIT"
    async with unit_of_work(res.sessions) as session:
        # One snapshot for every query: the worker commits between them otherwise, and
        # the day totals would disagree with the entries read a moment later.
        await session.execute(SNAPSHOT)
        viewer = await service.viewer_for(session, identity.user_id, identity.timezone)
        computed = await compute(session, viewer)
    body = orjson.dumps(computed.payload, option=JSON_OPTIONS, default=json_default)
    if not computed.cacheable or found.stamp is None:  # a timer runs, or Redis is down
        return body, "BYPASS"
    await cache.store(kind, identity.user_id, variant, body, found.stamp, ttl)
    return body, "MISS"


def json_response(body: bytes, cache_status: str) -> Response:
    """Cached or computed JSON bytes with their ``X-Cache`` status; never stored by a browser."""
    return Response(
        body,
        media_type="application/json",
        headers={"X-Cache": cache_status, "Cache-Control": "private, no-store"},
    )


async def cached_response(
    request: Request,
    identity: Identity,
    *,
    kind: str,
    variant: str,
    ttl: int,
    compute: Compute,
) -> Response:
    """``cached_body`` sent as JSON with its ``X-Cache`` status."""
    return json_response(
        *await cached_body(request, identity, kind=kind, variant=variant, ttl=ttl, compute=compute)
    )


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


# Only for the OpenAPI document: the routes send cached JSON bytes themselves.
DocumentedJSON = StarletteJSON
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
