"""HTTP plumbing every productivity route shares: who may call (session or token with
``read:reports``), a read-only snapshot, and JSON bytes answered as they were cached or
computed, with their ``X-Cache`` status."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import orjson
from fastapi import Depends, Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import JSONResponse as StarletteJSON
from starlette.responses import Response

from tt.common.app import resources
from tt.common.db import unit_of_work
from tt.common.errors import Unauthorized
from tt.common.identity import Identity, require_auth_method, require_scope
from tt.common.responses import json_default
from tt.productivity.cache import AnalyticsCache
from tt.productivity.settings import ProductivitySettings
from tt.productivity.stats.service import Computed, Viewer, viewer_for

JSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC | orjson.OPT_NON_STR_KEYS
# One snapshot for every query of an answer: the worker commits between them otherwise,
# and the day totals would disagree with the entries read a moment later.
SNAPSHOT = text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
# Only for the OpenAPI document: the routes send cached JSON bytes themselves.
DocumentedJSON = StarletteJSON


async def reports_token(identity: Identity = Depends(require_scope("read:reports"))) -> Identity:
    """/api/v1 takes API tokens only (sessions use the legacy paths), with ``read:reports``."""
    if identity.auth_method != "token":
        raise Unauthorized("This endpoint requires an API token", error="Authentication required")
    return identity


SessionUser = Annotated[Identity, Depends(require_auth_method("session"))]
TokenUser = Annotated[Identity, Depends(reports_token)]
Compute = Callable[[AsyncSession, Viewer], Awaitable[Computed]]


def settings_of(request: Request) -> ProductivitySettings:
    settings: ProductivitySettings = request.app.state.settings
    return settings


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
        await session.execute(SNAPSHOT)
        viewer = await viewer_for(session, identity.user_id, identity.timezone)
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
