"""HTTP routes of approvals: ``/api/v1/time-entry-approvals`` and
``POST /api/v1/time-entries/<id>/request-approval`` (the reference's per-entry form)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from tt.common.app import DbSession
from tt.common.body import json_body, json_object, parse, parse_id
from tt.common.errors import ValidationFailed
from tt.common.idempotency import run_create
from tt.common.identity import Identity, require_scope
from tt.common.openapi import errors
from tt.common.pagination import PageParams, page_params, paginated
from tt.common.responses import JSONResponse
from tt.time.approvals import service
from tt.time.approvals.models import APPROVAL_STATUSES
from tt.time.approvals.schemas import (
    ApprovalAnswer,
    ApprovalPage,
    ApprovalRequest,
    ApprovalSaved,
    Decision,
    EntryApprovalRequest,
)
from tt.time.publishers import Publisher, publisher
from tt.time.web.answers import CHANGED, FOUND, LISTED, idempotent
from tt.time.web.params import QueryId

router = APIRouter(prefix="/api/v1/time-entry-approvals", tags=["approvals"])
entry_router = APIRouter(prefix="/api/v1/time-entries", tags=["approvals"])

Reader = Annotated[Identity, Depends(require_scope("read:time_entries"))]
Writer = Annotated[Identity, Depends(require_scope("write:time_entries"))]
Events = Annotated[Publisher, Depends(publisher)]
Status = Literal["pending", "approved", "rejected", "all"]
assert set(Status.__args__) == {*APPROVAL_STATUSES, "all"}  # type: ignore[attr-defined]
# A request: entries that cannot be asked for (400) or none such (404, for one entry).
REQUESTED = errors(400, 404, 409, 413, 415, 422)
DECISION: dict[str, Any] = {
    "response_model": ApprovalSaved,
    # 409: the request is already decided.
    "responses": CHANGED,
    "openapi_extra": json_body(Decision),
}


@router.get("", response_model=ApprovalPage, responses=LISTED)
async def list_approvals(
    session: DbSession,
    identity: Reader,
    params: Annotated[PageParams, Depends(page_params)],
    status: Annotated[Status | None, Query()] = None,
    user_id: QueryId = None,
) -> JSONResponse:
    """Newest first; every status unless ``status`` is given. Users see their own
    requests; admins everyone's (``user_id`` narrows)."""
    items, total = await service.list_approvals(
        session, identity, params, user_id=user_id, status=None if status == "all" else status
    )
    return JSONResponse(paginated("approvals", items, params, total))


@router.get("/{approval_id:int}", response_model=ApprovalAnswer, responses=FOUND)
async def get_approval(session: DbSession, identity: Reader, approval_id: int) -> JSONResponse:
    approval = await service.get_approval(session, identity, parse_id(approval_id, "Approval"))
    return JSONResponse({"approval": approval})


async def _request(
    request: Request,
    identity: Identity,
    events: Publisher,
    body: dict[str, Any],
    ids: list[int],
    comment: str | None,
) -> Response:
    async def work(session: AsyncSession) -> tuple[int, dict[str, Any]]:
        approval = await service.request_approval(session, events, identity, ids, comment)
        return 201, {"message": "Approval requested", "approval": approval}

    return await run_create(request, identity, body, work)


@router.post(
    "",
    status_code=201,
    response_model=ApprovalSaved,
    responses=REQUESTED,
    openapi_extra=idempotent(json_body(ApprovalRequest)),
)
async def request_approval(request: Request, identity: Writer, events: Events) -> Response:
    """Ask for the caller's finished entries to be approved; they are read-only (except
    for admins) while pending and once approved."""
    body = await json_object(request)
    payload = parse(ApprovalRequest, body)
    return await _request(request, identity, events, body, payload.entry_ids, payload.comment)


@entry_router.post(
    "/{entry_id:int}/request-approval",
    status_code=201,
    response_model=ApprovalSaved,
    responses=REQUESTED,
    openapi_extra=idempotent(json_body(EntryApprovalRequest)),
)
async def request_entry_approval(
    request: Request, identity: Writer, events: Events, entry_id: int
) -> Response:
    body = await json_object(request)
    payload = parse(EntryApprovalRequest, body)
    target = parse_id(entry_id, "Time entry")
    return await _request(request, identity, events, body, [target], payload.comment)


async def _decide(
    request: Request, session: AsyncSession, identity: Identity, events: Publisher,
    approval_id: int, *, approve: bool,
) -> JSONResponse:  # fmt: skip
    decision = parse(Decision, await json_object(request))
    if not approve and not decision.text:
        raise ValidationFailed.field("comment", "A comment is required to reject a request")
    approval = await service.decide(
        session,
        events,
        identity,
        parse_id(approval_id, "Approval"),
        approve=approve,
        comment=decision.text,
    )
    verb = "approved" if approve else "rejected"
    return JSONResponse({"message": f"Time entries {verb}", "approval": approval})


@router.post("/{approval_id:int}/approve", **DECISION)
async def approve(
    request: Request, session: DbSession, identity: Writer, events: Events, approval_id: int
) -> JSONResponse:
    """Approve a pending request (admins); an optional ``comment``."""
    return await _decide(request, session, identity, events, approval_id, approve=True)


@router.post("/{approval_id:int}/reject", **DECISION)
async def reject(
    request: Request, session: DbSession, identity: Writer, events: Events, approval_id: int
) -> JSONResponse:
    """Reject a pending request (admins), with a ``comment`` (or ``reason``) saying why."""
    return await _decide(request, session, identity, events, approval_id, approve=False)
