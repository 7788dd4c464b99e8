"""``GET /internal/lag``: how far the indexer is behind the topics. An ops endpoint like
``/readyz``: not routed by the gateway, no identity needed."""

from __future__ import annotations

from fastapi import APIRouter, Request

from tt.common.app import resources
from tt.common.responses import JSONResponse
from tt.search.settings import SearchSettings
from tt.search.status.lag import read_lag

router = APIRouter(include_in_schema=False)


@router.get("/internal/lag")
async def indexer_lag(request: Request) -> JSONResponse:
    settings: SearchSettings = request.app.state.settings
    return JSONResponse(await read_lag(resources(request).redis, settings.consumer_group))
