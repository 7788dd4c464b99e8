"""Who may call a route, as the OpenAPI document says it: the credentials it takes (the
merged document's security schemes) and the errors of routes the gateway serves without
ForwardAuth (no 401 or 403 from verify there; docs/api.md §1)."""

from __future__ import annotations

from typing import Any

from tt.common.openapi import Responses, errors

# ``openapi_extra`` of a route that takes no credential (the document's default is a token).
NO_CREDENTIAL: dict[str, Any] = {"security": []}
# Of a browser page or call: the session cookie (unsafe methods also send X-CSRF-Token).
SESSION: dict[str, Any] = {"security": [{"session": []}]}
# Of the admins' legacy routes: an admin:all token or an admin's session.
TOKEN_OR_SESSION: dict[str, Any] = {
    "security": [{"bearerToken": []}, {"apiKeyHeader": []}, {"session": []}]
}

_GATEWAY_WITHOUT_VERIFY = (503,)
_ERROR_BODY = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}


def public_errors(*codes: int, **described: str) -> Responses:
    """``errors(...)`` of a route without ForwardAuth: its own codes and the outage."""
    kept = {*codes, *_GATEWAY_WITHOUT_VERIFY}
    return {code: answer for code, answer in errors(*codes, **described).items() if code in kept}


def as_json(answers: Responses) -> Responses:
    """``answers`` of a route whose own answer is an HTML page: FastAPI documents a
    ``model`` in the route's media type, but the error body is JSON."""
    return {
        code: {"description": answer["description"], "content": _ERROR_BODY}
        if "model" in answer
        else answer
        for code, answer in answers.items()
    }
