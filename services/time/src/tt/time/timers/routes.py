"""HTTP routes of timers: ``/api/v1/timer/*`` (tokens) and the legacy ``/api/timer/*``
(browser sessions), answered in the reference server's shapes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from tt.common.app import DbSession
from tt.common.body import json_body, json_object, parse
from tt.common.identity import Identity, require_scope
from tt.common.responses import JSONResponse
from tt.time.publishers import Publisher, publisher
from tt.time.timers import service
from tt.time.timers.schemas import LegacyResume, TimerStart
from tt.time.web.session import session_caller

router = APIRouter(tags=["timer"])

Reader = Annotated[Identity, Depends(require_scope("read:time_entries"))]
Writer = Annotated[Identity, Depends(require_scope("write:time_entries"))]
Session = Annotated[Identity, Depends(session_caller)]
Events = Annotated[Publisher, Depends(publisher)]


@router.get("/api/v1/timer/status")
async def timer_status(session: DbSession, identity: Reader) -> JSONResponse:
    """``{"active": bool, "timer": entry | null}``; a paused timer is still active."""
    timer = await service.status(session, identity)
    return JSONResponse({"active": timer is not None, "timer": timer})


@router.post(
    "/api/v1/timer/start", status_code=201, openapi_extra=json_body(TimerStart), response_model=None
)
async def start_timer(
    request: Request, session: DbSession, identity: Writer, events: Events
) -> Response:
    payload = parse(TimerStart, await json_object(request))
    timer = await service.start(session, events, identity, payload)
    return JSONResponse({"message": "Timer started successfully", "timer": timer}, status_code=201)


@router.post("/api/v1/timer/stop")
async def stop_timer(session: DbSession, identity: Writer, events: Events) -> JSONResponse:
    entry = await service.stop(session, events, identity)
    return JSONResponse({"message": "Timer stopped successfully", "time_entry": entry})


@router.post("/api/v1/timer/pause")
async def pause_timer(session: DbSession, identity: Writer, events: Events) -> JSONResponse:
    entry = await service.pause(session, events, identity)
    return JSONResponse({"message": "Timer paused", "time_entry": entry})


@router.post("/api/v1/timer/resume")
async def resume_timer(session: DbSession, identity: Writer, events: Events) -> JSONResponse:
    entry = await service.resume(session, events, identity)
    return JSONResponse({"message": "Timer resumed", "time_entry": entry})


@router.post(
    "/api/timer/start", tags=["legacy"], openapi_extra=json_body(TimerStart), response_model=None
)
async def legacy_start(
    request: Request, session: DbSession, identity: Session, events: Events
) -> JSONResponse:
    payload = parse(TimerStart, await json_object(request))
    timer = await service.start(session, events, identity, payload)
    return JSONResponse(
        {
            "success": True,
            "timer_id": timer["id"],
            "project_name": timer["project"] or "",
            "task_id": timer["task_id"],
            "timer": timer,
        }
    )


@router.post("/api/timer/stop", tags=["legacy"])
async def legacy_stop(session: DbSession, identity: Session, events: Events) -> JSONResponse:
    entry = await service.stop(session, events, identity)
    return JSONResponse(
        {
            "success": True,
            "duration": entry["duration_formatted"],
            "duration_hours": entry["duration_hours"],
            "time_entry": entry,
        }
    )


@router.post(
    "/api/timer/resume", tags=["legacy"], openapi_extra=json_body(LegacyResume), response_model=None
)
async def legacy_resume(
    request: Request, session: DbSession, identity: Session, events: Events
) -> JSONResponse:
    """Restart the last entry's project, task and notes as a new timer."""
    payload = parse(LegacyResume, await json_object(request))
    timer = await service.restart_last(
        session, events, identity, payload.project_id, payload.task_id
    )
    return JSONResponse({"success": True, "timer_id": timer["id"], "timer": timer})
