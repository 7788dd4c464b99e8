"""HTTP for a project's forecast: the session route and its /api/v1 token successor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from tt.common.fields import MAX_ID
from tt.common.openapi import errors
from tt.productivity.forecast import service
from tt.productivity.forecast.schemas import ProjectForecast
from tt.productivity.stats.schemas import CACHED
from tt.productivity.web import (
    SESSION_ONLY,
    Rt,
    SessionUser,
    TokenUser,
    json_response,
)

router = APIRouter(tags=["Dashboard"])

ProjectId = Annotated[int, Path(ge=1, le=MAX_ID)]
Refresh = Annotated[bool, Query(description="Drop the cached forecast and compute it anew")]
DOC = {
    **CACHED,
    **errors(
        400,
        403,
        404,
        e400="refresh is not a boolean",
        e403="not an admin, and no time tracked on the project",
        e404="a project the read model does not know",
    ),
}


@router.get(
    "/api/projects/{project_id}/forecast",
    summary="A project's deterministic forecast (session; deprecated)",
    response_model=ProjectForecast,
    responses=DOC,
    deprecated=True,
    openapi_extra=SESSION_ONLY,
)
async def legacy_project_forecast(
    rt: Rt, identity: SessionUser, project_id: ProjectId, refresh: Refresh = False
) -> Response:
    response = json_response(await service.forecast_answer(rt, identity, project_id, refresh))
    # The successor names this project: the gateway's static headers cannot (docs/api.md §4).
    response.headers["Link"] = f'</api/v1/projects/{project_id}/forecast>; rel="successor-version"'
    return response


@router.get(
    "/api/v1/projects/{project_id}/forecast",
    summary="A project's deterministic forecast",
    response_model=ProjectForecast,
    responses=DOC,
)
async def project_forecast(
    rt: Rt, identity: TokenUser, project_id: ProjectId, refresh: Refresh = False
) -> Response:
    return json_response(await service.forecast_answer(rt, identity, project_id, refresh))
