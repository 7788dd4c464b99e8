"""``GET /api/v1/info`` and ``/api/v1/health`` (no token; limited per client address) and
``/_gateway/errors/{status}``, the JSON bodies of the gateway's own error answers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from tt.auth.access import NO_CREDENTIAL, public_errors
from tt.auth.runtime import Runtime, runtime
from tt.auth.sessions.service import address_subject
from tt.auth.system.schemas import Health, Info
from tt.auth.users.routes import ENABLED_MODULES
from tt.common.app import client_address
from tt.common.errors import (
    AppError,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unavailable,
    error_response,
)
from tt.common.metrics import RATE_LIMIT_REJECTIONS
from tt.common.responses import JSONResponse

router = APIRouter(tags=["system"])

Rt = Annotated[Runtime, Depends(runtime)]
PER_ADDRESS = public_errors(429, e429="too many requests from this address")

ENDPOINTS = {
    "info": "/api/v1/info",
    "health": "/api/v1/health",
    "login": "/api/v1/auth/login",
    "users_me": "/api/v1/users/me",
    "projects": "/api/v1/projects",
    "time_entries": "/api/v1/time-entries",
    "timer": {
        "status": "/api/v1/timer/status",
        "start": "/api/v1/timer/start",
        "stop": "/api/v1/timer/stop",
        "pause": "/api/v1/timer/pause",
        "resume": "/api/v1/timer/resume",
    },
    "tasks": "/api/v1/tasks",
    "clients": "/api/v1/clients",
    "contacts": "/api/v1/clients/<client_id>/contacts",
    "time_entry_approvals": "/api/v1/time-entry-approvals",
    "deals": "/api/v1/deals",
    "leads": "/api/v1/leads",
    "reports": "/api/v1/reports/summary",  # the reports namespace has no root route
    "search": "/api/v1/search",
    "productivity_stats": "/api/v1/productivity/stats",
    "value_dashboard": "/api/v1/stats/value-dashboard",
    "webhooks": "/api/v1/webhooks",
    "admin": {
        "users": "/api/v1/admin/users",
        "api_tokens": "/api/v1/admin/api-tokens",
        "timetrack_keys": "/api/v1/admin/timetrack-keys",
    },
}


async def _limit_by_address(request: Request, rt: Runtime) -> dict[str, str]:
    quota = await rt.public_limiter.apply(address_subject(client_address(request)))
    headers = quota.headers()
    if not quota.allowed:
        RATE_LIMIT_REJECTIONS.labels("public_per_address").inc()
        raise RateLimited(
            "Too many requests from this address. Try again later.",
            headers={**headers, "Retry-After": str(quota.retry_after)},
        )
    return headers


@router.get("/api/v1/info", response_model=Info, responses=PER_ADDRESS, openapi_extra=NO_CREDENTIAL)
async def info(request: Request, rt: Rt) -> JSONResponse:
    """This server, for the apps (no token; limited per client address)."""
    headers = await _limit_by_address(request, rt)
    body: dict[str, Any] = {
        "api_version": "v1",
        "app_version": rt.settings.version,
        "setup_required": False,
        "enabled_modules": list(ENABLED_MODULES),
        "documentation_url": "/api/docs",
        "authentication": "API Token (Bearer or X-API-Key header)",
        "endpoints": ENDPOINTS,
        "timezone": "UTC",
    }
    return JSONResponse(body, headers=headers)


@router.get(
    "/api/v1/health", response_model=Health, responses=PER_ADDRESS, openapi_extra=NO_CREDENTIAL
)
async def health(request: Request, rt: Rt) -> JSONResponse:
    """Up (no token; limited per client address)."""
    headers = await _limit_by_address(request, rt)
    body = {"status": "healthy", "timestamp": datetime.now(UTC)}
    return JSONResponse(body, headers=headers)


class BadGateway(Unavailable):
    status_code = 502
    error = "Bad gateway"


class GatewayTimeout(Unavailable):
    status_code = 504
    error = "Gateway timeout"


_GATEWAY_ERRORS: dict[int, AppError] = {
    404: NotFound("The requested resource was not found"),
    413: PayloadTooLarge("The request body is too large"),
    502: BadGateway("The service behind the gateway did not answer properly"),
    503: Unavailable("The service is unavailable right now; try again shortly"),
    504: GatewayTimeout("The service behind the gateway did not answer in time"),
}


@router.api_route(
    "/_gateway/errors/{status}",
    methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    include_in_schema=False,
)
async def gateway_error(status: str) -> JSONResponse:
    error = _GATEWAY_ERRORS.get(int(status) if status.isdigit() else 404, _GATEWAY_ERRORS[404])
    response = error_response(error)
    if error.status_code >= 500:
        # Traefik's errors middleware sends the client the original status with this body;
        # answering the page itself with a 5xx would count against auth's own health.
        response.status_code = 200
    return response
