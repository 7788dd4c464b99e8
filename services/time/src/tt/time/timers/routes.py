"""HTTP routes of timers: ``/api/v1/timer/*`` (tokens) and the legacy ``/api/timer/*``
(browser sessions), answered in the reference server's shapes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from tt.common.app import DbSession
from tt.common.body import json_body, json_object, parse
from tt.common.identity import Identity, require_scope
from tt.common.openapi import errors
from tt.common.responses import JSONResponse
from tt.time.entries.schemas import TimeEntrySaved
from tt.time.publishers import Publisher, publisher
from tt.time.timers import service
from tt.time.timers.schemas import (
    LegacyResume,
    LegacyResumed,
    LegacyStarted,
    LegacyStopped,
    TimerStart,
    TimerStarted,
    TimerStatus,
)
from tt.time.web.answers import LISTED, SESSION
from tt.time.web.session import session_caller

router = APIRouter(tags=["timer"])

Reader = Annotated[Identity, Depends(require_scope("read:time_entries"))]
Writer = Annotated[Identity, Depends(require_scope("write:time_entries"))]
Session = Annotated[Identity, Depends(session_caller)]
Events = Annotated[Publisher, Depends(publisher)]
# A start: a bad body or an inactive project (400), a timer already running (409).
STARTED = errors(400, 409, 413, 415)
# Stop, pause, resume: no timer in the state asked for (400 ``no_active_timer``,
# ``no_paused_timer``, ``invalid_state``), a concurrent change (409).
MOVED = errors(400, 409)
# The legacy resume: also no last entry to restart (404).
RESTARTED = errors(400, 404, 409, 413, 415)


@router.get("/api/v1/timer/status", response_model=TimerStatus, responses=LISTED)
async def timer_status(session: DbSession, identity: Reader) -> JSONResponse:
    """``{"active": bool, "timer": entry | null}``; a paused timer is still active."""
    timer = await service.status(session, identity)
    return JSONResponse({"active": timer is not None, "timer": timer})


@router.post(
    "/api/v1/timer/start",
    status_code=201,
    response_model=TimerStarted,
    responses=STARTED,
    openapi_extra=json_body(TimerStart),
)
async def start_timer(
    request: Request, session: DbSession, identity: Writer, events: Events
) -> Response:
    payload = parse(TimerStart, await json_object(request))
    timer = await service.start(session, events, identity, payload)
    return JSONResponse({"message": "Timer started successfully", "timer": timer}, status_code=201)


@router.post("/api/v1/timer/stop", response_model=TimeEntrySaved, responses=MOVED)
async def stop_timer(session: DbSession, identity: Writer, events: Events) -> JSONResponse:
    entry = await service.stop(session, events, identity)
    return JSONResponse({"message": "Timer stopped successfully", "time_entry": entry})


@router.post("/api/v1/timer/pause", response_model=TimeEntrySaved, responses=MOVED)
async def pause_timer(session: DbSession, identity: Writer, events: Events) -> JSONResponse:
    entry = await service.pause(session, events, identity)
    return JSONResponse({"message": "Timer paused", "time_entry": entry})


@router.post("/api/v1/timer/resume", response_model=TimeEntrySaved, responses=MOVED)
async def resume_timer(session: DbSession, identity: Writer, events: Events) -> JSONResponse:
    entry = await service.resume(session, events, identity)
    return JSONResponse({"message": "Timer resumed", "time_entry": entry})


@router.post(
    "/api/timer/start",
    tags=["legacy"],
    response_model=LegacyStarted,
    responses=STARTED,
    openapi_extra={**json_body(TimerStart), **SESSION},
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


@router.post(
    "/api/timer/stop",
    tags=["legacy"],
    response_model=LegacyStopped,
    responses=MOVED,
    openapi_extra=SESSION,
)
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
    "/api/timer/resume",
    tags=["legacy"],
    response_model=LegacyResumed,
    responses=RESTARTED,
    openapi_extra={**json_body(LegacyResume), **SESSION},
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
