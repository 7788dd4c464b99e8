"""HTTP routes of tasks: ``/api/v1/tasks`` and the legacy ``/api/projects/<id>/tasks``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from tt.common.app import DbSession
from tt.common.body import json_body, json_object, parse, parse_id
from tt.common.errors import NotFound
from tt.common.idempotency import run_create
from tt.common.identity import Identity, require_auth_method, require_scope
from tt.common.openapi import Message
from tt.common.pagination import PageParams, page_params, paginated
from tt.common.responses import JSONResponse
from tt.time.projects import repository as projects
from tt.time.publishers import Publisher, publisher
from tt.time.tasks import repository, service
from tt.time.tasks.models import OPEN_STATUSES
from tt.time.tasks.schemas import (
    ProjectTasks,
    TaskAnswer,
    TaskCreate,
    TaskPage,
    TaskSaved,
    TaskUpdate,
)
from tt.time.tasks.views import row_view
from tt.time.web.answers import (
    CHANGED,
    CREATED,
    FOUND,
    LISTED,
    REMOVED,
    SESSION,
    idempotent,
)
from tt.time.web.params import QueryId

router = APIRouter(tags=["tasks"])

Reader = Annotated[Identity, Depends(require_scope("read:tasks"))]
Writer = Annotated[Identity, Depends(require_scope("write:tasks"))]
Session = Annotated[Identity, Depends(require_auth_method("session"))]
Events = Annotated[Publisher, Depends(publisher)]
# ``active`` is not a task status; the browser extension asks for it, meaning open tasks.
StatusFilter = Literal["todo", "in_progress", "review", "done", "cancelled", "active"]
UPDATE: dict[str, Any] = {
    "response_model": TaskSaved,
    "responses": CHANGED,
    "openapi_extra": json_body(TaskUpdate),
}


@router.get("/api/v1/tasks", response_model=TaskPage, responses=LISTED)
async def list_tasks(
    session: DbSession,
    _: Reader,
    params: Annotated[PageParams, Depends(page_params)],
    project_id: QueryId = None,
    status: Annotated[StatusFilter | None, Query()] = None,
) -> JSONResponse:
    """Tasks in creation order; ``status=active`` means todo, in_progress or review."""
    statuses = None if status is None else OPEN_STATUSES if status == "active" else (status,)
    rows, total = await repository.page(session, params, project_id=project_id, statuses=statuses)
    return JSONResponse(paginated("tasks", [row_view(row) for row in rows], params, total))


@router.get("/api/v1/tasks/{task_id:int}", response_model=TaskAnswer, responses=FOUND)
async def get_task(session: DbSession, _: Reader, task_id: int) -> JSONResponse:
    return JSONResponse({"task": await service.get_task(session, parse_id(task_id, "Task"))})


@router.post(
    "/api/v1/tasks",
    status_code=201,
    response_model=TaskSaved,
    responses=CREATED,
    openapi_extra=idempotent(json_body(TaskCreate)),
)
async def create_task(request: Request, identity: Writer, events: Events) -> Response:
    body = await json_object(request)
    payload = parse(TaskCreate, body)

    async def work(session: AsyncSession) -> tuple[int, dict[str, Any]]:
        task = await service.create_task(session, events, identity, payload)
        return 201, {"message": "Task created successfully", "task": task}

    return await run_create(request, identity, body, work)


@router.put("/api/v1/tasks/{task_id:int}", **UPDATE)
@router.patch("/api/v1/tasks/{task_id:int}", **UPDATE)
async def update_task(
    request: Request, session: DbSession, _: Writer, events: Events, task_id: int
) -> JSONResponse:
    target = parse_id(task_id, "Task")
    payload = parse(TaskUpdate, await json_object(request))
    task = await service.update_task(session, events, target, payload)
    return JSONResponse({"message": "Task updated successfully", "task": task})


@router.delete("/api/v1/tasks/{task_id:int}", response_model=Message, responses=REMOVED)
async def delete_task(session: DbSession, _: Writer, events: Events, task_id: int) -> JSONResponse:
    await service.delete_task(session, events, parse_id(task_id, "Task"))
    return JSONResponse({"message": "Task deleted successfully"})


@router.get(
    "/api/projects/{project_id:int}/tasks",
    tags=["legacy"],
    response_model=ProjectTasks,
    responses=FOUND,
    openapi_extra=SESSION,
)
@router.get("/api/projects/{project_id:int}/tasks/", include_in_schema=False)
async def legacy_project_tasks(session: DbSession, _: Session, project_id: int) -> JSONResponse:
    """Every task of an active project, whatever its status (done and cancelled too), for
    the manual time-entry form of the reference web app."""
    project = await projects.find_with_client(session, parse_id(project_id, "Project"))
    if project is None or project["status"] != "active":
        raise NotFound("Project not found or inactive")
    rows, _count = await repository.page(session, None, project_id=project["id"], statuses=None)
    tasks = [
        {
            "id": row.Task.id,
            "name": row.Task.name,
            "description": row.Task.description,
            "status": row.Task.status,
            "priority": row.Task.priority,
        }
        for row in sorted(rows, key=lambda r: (r.Task.name.lower(), r.Task.id))
    ]
    return JSONResponse({"success": True, "tasks": tasks})
