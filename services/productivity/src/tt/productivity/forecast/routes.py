"""HTTP for a project's forecast: the session route and its /api/v1 token successor.
Access is checked on every request; the payload is cached per project and zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from tt.common.app import resources
from tt.common.db import unit_of_work
from tt.common.fields import MAX_ID
from tt.common.identity import Identity
from tt.common.responses import json_default
from tt.productivity.analytics.timezones import resolve_zone, today_in
from tt.productivity.cache import FORECAST, AnalyticsCache
from tt.productivity.forecast.schemas import ProjectForecast
from tt.productivity.forecast.service import forecast_payload, visible_plan
from tt.productivity.stats.schemas import CACHE_HEADER
from tt.productivity.web import (
    JSON_OPTIONS,
    SNAPSHOT,
    DocumentedJSON,
    SessionUser,
    TokenUser,
    json_response,
    settings_of,
)

router = APIRouter(tags=["Dashboard"])

ProjectId = Annotated[int, Path(ge=1, le=MAX_ID)]
Refresh = Annotated[bool, Query(description="Drop the cached forecast and compute it anew")]
DOC: dict[int | str, dict[str, Any]] = {200: {"model": ProjectForecast, "headers": CACHE_HEADER}}


async def _forecast(
    request: Request, identity: Identity, project_id: int, refresh: bool
) -> Response:
    res = resources(request)
    cache = AnalyticsCache(res.redis)
    ttl = settings_of(request).forecast_cache_seconds
    # The caller's zone only sets "today": the identity's, no read needed.
    zone = resolve_zone(identity.timezone).zone
    now = datetime.now(UTC)
    async with unit_of_work(res.sessions) as session:
        plan = await visible_plan(session, identity, project_id)  # on every request
    if refresh:
        await cache.drop_project(FORECAST, project_id)
    found = await cache.lookup_project(FORECAST, project_id, zone.key, ttl)
    if found.body is not None:
        return json_response(found.body, "HIT")
    async with unit_of_work(res.sessions) as session:
        # One snapshot for the totals and the window (see stats.routes.cached_body).
        await session.execute(SNAPSHOT)
        payload = await forecast_payload(session, plan, today_in(zone, now), now, zone.key)
    body = orjson.dumps(payload, option=JSON_OPTIONS, default=json_default)
    if found.stamp is None:
        return json_response(body, "BYPASS")
    await cache.store_project(FORECAST, project_id, zone.key, body, found.stamp, ttl)
    return json_response(body, "MISS")


@router.get(
    "/api/projects/{project_id}/forecast",
    summary="A project's deterministic forecast (session; deprecated)",
    responses=DOC,
    response_model=None,
    response_class=DocumentedJSON,
    deprecated=True,
)
async def legacy_project_forecast(
    request: Request, identity: SessionUser, project_id: ProjectId, refresh: Refresh = False
) -> Response:
    response = await _forecast(request, identity, project_id, refresh)
    # The successor names this project: the gateway's static headers cannot (docs/api.md §4).
    response.headers["Link"] = f'</api/v1/projects/{project_id}/forecast>; rel="successor-version"'
    return response


@router.get(
    "/api/v1/projects/{project_id}/forecast",
    summary="A project's deterministic forecast",
    responses=DOC,
    response_model=None,
    response_class=DocumentedJSON,
)
async def project_forecast(
    request: Request, identity: TokenUser, project_id: ProjectId, refresh: Refresh = False
) -> Response:
    return await _forecast(request, identity, project_id, refresh)
