"""``GET /internal/verify``: Traefik's ForwardAuth endpoint (never routed from the web)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from tt.auth.context import AuthContext
from tt.auth.verify.service import Request as Forwarded
from tt.common.responses import JSONResponse

router = APIRouter(include_in_schema=False)


@router.api_route("/internal/verify", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
async def verify(request: Request) -> Response:
    ctx: AuthContext = request.app.state.auth
    forwarded = Forwarded(request.headers, request.cookies.get(ctx.settings.session_cookie))
    verdict = await ctx.verifier.verify(forwarded)
    if verdict.body is None:
        return Response(status_code=verdict.status, headers=verdict.headers)
    return JSONResponse(verdict.body, status_code=verdict.status, headers=verdict.headers)
