"""The error hierarchy and the one handler that turns it into the contract's JSON body.

Body (docs/api.md §2): ``{"error", "message", "error_code"}`` plus ``errors`` on
validation failures and any extra fields an error carries (``required_scope`` ...).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from opentelemetry import trace
from pydantic import BaseModel
from redis.exceptions import RedisError
from sqlalchemy.exc import DataError, DBAPIError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tt.common.outages import DEPENDENCY_ERRORS, is_dependency_outage
from tt.common.responses import JSONResponse

log = logging.getLogger("tt.errors")


class ErrorBody(BaseModel):
    """The error body, for OpenAPI documents (``responses={404: {"model": ErrorBody}}``)."""

    error: str
    message: str
    error_code: str
    errors: dict[str, list[str]] | None = None
    required_scope: str | None = None
    available_scopes: list[str] | None = None
    trace_id: str | None = None


class AppError(Exception):
    """Base of every error a route may raise; carries its status and contract code."""

    status_code: int = 500
    error_code: str = "internal_error"
    error: str = "Internal server error"

    def __init__(
        self,
        message: str | None = None,
        *,
        error: str | None = None,
        error_code: str | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        self.message = message or self.error
        if error is not None:
            self.error = error
        if error_code is not None:
            self.error_code = error_code
        self.headers = dict(headers or {})
        self.extra = extra
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return {
            "error": self.error,
            "message": self.message,
            "error_code": self.error_code,
            **self.extra,
        }


class BadRequest(AppError):
    """400 with a specific code (``no_active_timer``), for rules that are not field errors."""

    status_code = 400
    error_code = "bad_request"
    error = "Bad request"


class ValidationFailed(AppError):
    status_code = 400
    error_code = "validation_error"
    error = "Validation failed"

    def __init__(self, errors: Mapping[str, Sequence[str]], message: str | None = None) -> None:
        super().__init__(
            message or "Validation failed", errors={k: list(v) for k, v in errors.items()}
        )

    @classmethod
    def field(cls, name: str, message: str) -> ValidationFailed:
        return cls({name: [message]}, message)


class Unauthorized(AppError):
    status_code = 401
    error_code = "unauthorized"
    error = "Authentication required"


class Forbidden(AppError):
    status_code = 403
    error_code = "forbidden"
    error = "Forbidden"


class InsufficientScope(Forbidden):
    error = "Insufficient permissions"

    def __init__(self, required: str, available: Iterable[str]) -> None:
        super().__init__(
            f"This endpoint requires the '{required}' scope",
            required_scope=required,
            available_scopes=sorted(available),
        )


class NotFound(AppError):
    status_code = 404
    error_code = "not_found"
    error = "Not found"


class MethodNotAllowed(AppError):
    status_code = 405
    error_code = "method_not_allowed"
    error = "Method not allowed"


class Conflict(AppError):
    status_code = 409
    error_code = "conflict"
    error = "Conflict"


class PayloadTooLarge(AppError):
    status_code = 413
    error_code = "payload_too_large"
    error = "Payload too large"


class UnsupportedMediaType(AppError):
    status_code = 415
    error_code = "unsupported_media_type"
    error = "Unsupported media type"


class IdempotencyKeyReused(AppError):
    status_code = 422
    error_code = "idempotency_key_reused"
    error = "Idempotency key reused"


class RateLimited(AppError):
    status_code = 429
    error_code = "rate_limited"
    error = "Rate limit exceeded"


class Unavailable(AppError):
    status_code = 503
    error_code = "unavailable"
    error = "Service unavailable"


def retry_shortly(message: str) -> Unavailable:
    """The answer to a dependency outage (``tt.common.outages``): the same request may well
    succeed in a moment, so 503 with ``Retry-After: 1`` instead of "our bug"."""
    outage = Unavailable(message)
    outage.headers["Retry-After"] = "1"
    return outage


def error_response(exc: AppError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)


def _field_name(loc: Sequence[Any]) -> str:
    # ("body", "project_id") -> "project_id"; ("query", "page") -> "page"; ("body",) -> "body"
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(loc[0] if loc else "body")


def validation_errors(errors: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Turn pydantic's error list into the contract's ``{field: [messages]}``."""
    fields: dict[str, list[str]] = {}
    for err in errors:
        if err.get("type") == "json_invalid":
            fields.setdefault("body", []).append("Malformed JSON body")
            continue
        msg = str(err.get("msg", "Invalid value"))
        if err.get("type") == "missing":
            msg = "This field is required"
        fields.setdefault(_field_name(err.get("loc", ())), []).append(msg)
    return fields


def _in_path(err: Mapping[str, Any]) -> bool:
    loc = err.get("loc", ())
    return bool(loc) and loc[0] == "path"


def _unparsed_body(err: Mapping[str, Any]) -> bool:
    # FastAPI hands a JSON body model the raw bytes only when the Content-Type is not JSON.
    value = err.get("input")
    return tuple(err.get("loc", ())) == ("body",) and isinstance(value, bytes) and bool(value)


# SQLSTATE classes of errors caused by the values sent: 22 data exception (invalid text,
# numeric out of range, string too long), 54 program limit exceeded (index row too big).
_INPUT_SQLSTATE_CLASSES = ("22", "54")


def _refused_input(exc: Exception) -> bool:
    if isinstance(exc, OverflowError):  # an integer too big for its column's type
        return True
    if isinstance(exc, DataError):  # the driver's own DataError (a value it cannot encode)
        return True
    if not isinstance(exc, DBAPIError):
        return False
    state = getattr(exc.orig, "sqlstate", None)
    if isinstance(exc.orig, OverflowError | UnicodeEncodeError):
        return True
    return isinstance(state, str) and state[:2] in _INPUT_SQLSTATE_CLASSES


# What a database, Redis or the network raise, outages and refused values among them.
# Their handler is registered for each class so that Starlette's ExceptionMiddleware
# answers them: a handler for ``Exception`` itself runs in ServerErrorMiddleware, which
# raises the error again after answering, and uvicorn then closes the connection while
# the gateway may be sending its next request on it (that request gets a 502).
# Every dependency outage ``tt.common.outages`` knows, so one it learns is covered too,
# and the wider families a refused value or a driver error comes from.
_INFRASTRUCTURE_ERRORS: tuple[type[Exception], ...] = (
    *DEPENDENCY_ERRORS,
    SQLAlchemyError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    RedisError,
    OverflowError,
)


def install_error_handlers(app: FastAPI) -> None:
    """Map every error, ours and the framework's, to the contract's JSON body."""

    async def on_app_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AppError)
        return error_response(exc)

    async def on_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = exc.errors()
        if errors and all(_in_path(err) for err in errors):
            # ``/users/abc``, ``/users/0``: an id that cannot be one names no resource, the
            # same 404 as an unknown id (the reference server's int routes do the same).
            return error_response(NotFound("The requested resource was not found"))
        if any(_unparsed_body(err) for err in errors):
            return error_response(UnsupportedMediaType("Send the body as application/json"))
        return error_response(ValidationFailed(validation_errors(errors)))

    async def on_http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        mapped: AppError
        if exc.status_code == 404:
            mapped = NotFound("The requested resource was not found")
        elif exc.status_code == 405:
            mapped = MethodNotAllowed("Method not allowed for this resource")
        elif exc.status_code == 413:
            mapped = PayloadTooLarge(str(exc.detail))
        elif exc.status_code == 415:
            mapped = UnsupportedMediaType(str(exc.detail))
        elif exc.status_code == 400:
            # The framework could not read the body (JSON nested too deep, a broken form).
            mapped = ValidationFailed({"body": [str(exc.detail)]}, str(exc.detail))
        else:
            mapped = AppError(str(exc.detail), error=str(exc.detail), error_code="error")
            mapped.status_code = exc.status_code
        mapped.headers.update(exc.headers or {})
        return error_response(mapped)

    async def on_unexpected(_: Request, exc: Exception) -> JSONResponse:
        if _refused_input(exc):
            # A value PostgreSQL refuses (out of range, too long, malformed) that the edge
            # and the route's schema let through is still the client's error, not ours.
            log.warning("input refused by the database", extra={"error": type(exc).__name__})
            return error_response(
                ValidationFailed.field("body", "A value is out of range or cannot be stored")
            )
        if is_dependency_outage(exc):
            # PostgreSQL restarting, a lost connection, a statement out of time: the same
            # request may well succeed in a moment, so say so instead of "our bug".
            log.warning("dependency unavailable", extra={"error": repr(exc)[:300]})
            return error_response(
                retry_shortly("A service this request needs is unavailable; try again shortly")
            )
        span_context = trace.get_current_span().get_span_context()
        trace_id = format(span_context.trace_id, "032x") if span_context.is_valid else None
        log.exception("unhandled error", extra={"trace_id": trace_id})
        body = AppError("An unexpected error occurred").body()
        body["trace_id"] = trace_id
        return JSONResponse(body, status_code=500)

    app.add_exception_handler(AppError, on_app_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    for error in _INFRASTRUCTURE_ERRORS:
        app.add_exception_handler(error, on_unexpected)
    app.add_exception_handler(Exception, on_unexpected)
