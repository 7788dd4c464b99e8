"""What a route declares for the OpenAPI document, so that a client generated from
``/api/openapi.json`` reads every answer as it is: the error answers (one body shape,
``ErrorBody``), list envelopes and answers without a body.

Routes that return our own ``JSONResponse`` keep doing so on hot paths: FastAPI then uses
``response_model`` for the document only and does not serialize the answer a second time.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, create_model

from tt.common.errors import (
    AppError,
    Conflict,
    ErrorBody,
    Forbidden,
    IdempotencyKeyReused,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unauthorized,
    Unavailable,
    UnsupportedMediaType,
    ValidationFailed,
)

Responses = dict[int | str, dict[str, Any]]

_ERRORS: dict[int, type[AppError]] = {
    error.status_code: error
    for error in (
        ValidationFailed,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
        PayloadTooLarge,
        UnsupportedMediaType,
        IdempotencyKeyReused,
        RateLimited,
        Unavailable,
    )
}

# What any route behind the gateway may answer besides its own rules: no or bad
# credentials, a missing scope, the token's rate limit, a dependency outage.
EVERY_ROUTE = (401, 403, 429, 503)


def errors(*codes: int, **described: str) -> Responses:
    """Error answers for ``responses=``: ``errors(400, 404)`` plus those every route may
    give. ``described`` words one code's cause (``errors(409, e409="name taken")``)."""
    answers: Responses = {}
    for code in sorted({*codes, *EVERY_ROUTE}):
        error = _ERRORS[code]
        detail = described.get(f"e{code}")
        text = f"{error.error_code}: {detail}" if detail else error.error_code
        answers[code] = {"model": ErrorBody, "description": text}
    return answers


NO_CONTENT: Responses = {204: {"description": "Done; no body"}}


class Pagination(BaseModel):
    """The ``pagination`` object of every list answer (docs/api.md, Pagination)."""

    page: int
    per_page: int
    total: int
    pages: int
    has_next: bool
    has_prev: bool
    next_page: int | None
    prev_page: int | None


def page_of(item: type[BaseModel], key: str, name: str) -> type[BaseModel]:
    """The model of a list answer ``{key: [item, ...], "pagination": {...}}``."""
    fields: dict[str, Any] = {key: (list[item], ...), "pagination": (Pagination, ...)}  # type: ignore[valid-type]
    model: type[BaseModel] = create_model(name, **fields)
    return model
