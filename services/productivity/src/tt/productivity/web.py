"""HTTP plumbing every productivity route shares: who may call (session, or token with
``read:reports``), the runtime, and an answer's JSON bytes sent with their ``X-Cache``
status."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from starlette.responses import Response

from tt.common.errors import Unauthorized
from tt.common.identity import Identity, require_auth_method, require_scope
from tt.productivity.answers import Answer
from tt.productivity.runtime import Runtime, runtime


async def reports_token(identity: Identity = Depends(require_scope("read:reports"))) -> Identity:
    """/api/v1 takes API tokens only (sessions use the legacy paths), with ``read:reports``."""
    if identity.auth_method != "token":
        raise Unauthorized("This endpoint requires an API token", error="Authentication required")
    return identity


SessionUser = Annotated[Identity, Depends(require_auth_method("session"))]
TokenUser = Annotated[Identity, Depends(reports_token)]
Rt = Annotated[Runtime, Depends(runtime)]
# What the OpenAPI document says a legacy route takes: the browser session cookie only.
SESSION_ONLY: dict[str, Any] = {"security": [{"session": []}]}


def json_response(answer: Answer) -> Response:
    """An answer's JSON bytes with their ``X-Cache`` status; never stored by a browser."""
    return Response(
        answer.body,
        media_type="application/json",
        headers={"X-Cache": answer.cache_status, "Cache-Control": "private, no-store"},
    )
