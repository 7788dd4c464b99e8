"""What a route declares for the OpenAPI document, so that a client generated from
``/api/openapi.json`` reads every answer as it is: the error answers (one body shape,
``ErrorBody``), list envelopes and answers without a body.

Routes that return our own ``JSONResponse`` keep doing so on hot paths: FastAPI then uses
``response_model`` for the document only and does not serialize the answer a second time.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

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

# ``openapi_extra`` of a create that takes ``Idempotency-Key`` (tt.common.idempotency).
IDEMPOTENCY_KEY: dict[str, Any] = {
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": "Replays the first answer for 24 h when sent again with the same "
            "body (docs/api.md §5)",
            "schema": {"type": "string", "pattern": "^[\\x20-\\x7e]{1,128}$"},
        }
    ]
}


class Answer(BaseModel):
    """The base of a response model that names every field of its answer and no other
    (``additionalProperties: false``): a field added to a view but not to its model is a
    mismatch the conformance test reports."""

    model_config = ConfigDict(extra="forbid")


class Message(Answer):
    """An answer that only says what was done (``DELETE`` routes)."""

    message: str


def without_framework_422(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` without FastAPI's default 422 answer (``HTTPValidationError``): our
    handler answers a request it cannot validate with 400, 404 or 415 (docs/api.md §2),
    never with FastAPI's body. A route's own 422 (``errors(422)``) stays."""
    framework = "#/components/schemas/HTTPValidationError"
    for item in document.get("paths", {}).values():
        for operation in item.values():
            answers = operation.get("responses", {}) if isinstance(operation, dict) else {}
            content = answers.get("422", {}).get("content", {})
            if content.get("application/json", {}).get("schema", {}).get("$ref") == framework:
                del answers["422"]
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return document


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
