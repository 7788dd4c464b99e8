"""HTTP routes of projects: ``/api/v1/projects``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from tt.common.app import DbSession, resources
from tt.common.body import json_body, json_object, parse, parse_id
from tt.common.db import raw_connection
from tt.common.idempotency import run_create
from tt.common.identity import Identity, require_scope
from tt.common.openapi import Message
from tt.common.pagination import PageParams, page_params, paginated
from tt.common.responses import JSONResponse
from tt.time.projects import repository, service
from tt.time.projects.schemas import (
    ProjectAnswer,
    ProjectCreate,
    ProjectPage,
    ProjectSaved,
    ProjectUpdate,
)
from tt.time.projects.views import project_view
from tt.time.publishers import Publisher, publisher
from tt.time.settings import default_currency
from tt.time.web.answers import CHANGED, CREATED, FOUND, LISTED, REMOVED, idempotent
from tt.time.web.params import QueryId

router = APIRouter(prefix="/api/v1/projects", tags=["projects"])

Reader = Annotated[Identity, Depends(require_scope("read:projects"))]
Writer = Annotated[Identity, Depends(require_scope("write:projects"))]
Events = Annotated[Publisher, Depends(publisher)]
StatusFilter = Literal["active", "inactive", "on_hold", "archived", "completed", "all"]
UPDATE: dict[str, Any] = {
    "response_model": ProjectSaved,
    "responses": CHANGED,
    "openapi_extra": json_body(ProjectUpdate),
}


@router.get("", response_model=ProjectPage, responses=LISTED)
async def list_projects(
    request: Request,
    _: Reader,
    params: Annotated[PageParams, Depends(page_params)],
    status: Annotated[StatusFilter, Query()] = "active",
    client_id: QueryId = None,
) -> JSONResponse:
    """Projects sorted by name; only active ones unless ``status`` says otherwise
    (``all`` for every status)."""
    async with raw_connection(resources(request).engine) as conn:
        rows, total = await repository.page(
            conn, params, status=None if status == "all" else status, client_id=client_id
        )
    items = [
        project_view(
            row,
            client=row["client_name"],
            seconds=row["seconds"],
            billable_seconds=row["billable_seconds"],
        )
        for row in rows
    ]
    return JSONResponse(paginated("projects", items, params, total))


@router.get("/{project_id:int}", response_model=ProjectAnswer, responses=FOUND)
async def get_project(session: DbSession, _: Reader, project_id: int) -> JSONResponse:
    return JSONResponse(
        {"project": await service.get_project(session, parse_id(project_id, "Project"))}
    )


@router.post(
    "",
    status_code=201,
    response_model=ProjectSaved,
    responses=CREATED,
    openapi_extra=idempotent(json_body(ProjectCreate)),
)
async def create_project(request: Request, identity: Writer, events: Events) -> Response:
    body = await json_object(request)
    payload = parse(ProjectCreate, body)

    async def work(session: AsyncSession) -> tuple[int, dict[str, Any]]:
        project = await service.create_project(
            session, events, identity, payload, default_currency(request)
        )
        return 201, {"message": "Project created successfully", "project": project}

    return await run_create(request, identity, body, work)


@router.put("/{project_id:int}", **UPDATE)
@router.patch("/{project_id:int}", **UPDATE)
async def update_project(
    request: Request, session: DbSession, identity: Writer, events: Events, project_id: int
) -> JSONResponse:
    target = parse_id(project_id, "Project")
    payload = parse(ProjectUpdate, await json_object(request))
    project = await service.update_project(session, events, identity, target, payload)
    return JSONResponse({"message": "Project updated successfully", "project": project})


@router.delete("/{project_id:int}", response_model=Message, responses=REMOVED)
async def archive_project(
    session: DbSession, identity: Writer, events: Events, project_id: int
) -> JSONResponse:
    await service.archive_project(session, events, identity, parse_id(project_id, "Project"))
    return JSONResponse({"message": "Project archived successfully"})
