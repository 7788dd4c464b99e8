"""What time's routes declare for the OpenAPI document besides their own answer: the
error answers by what a route does (tt.common.openapi adds the gateway's 401, 403, 429
and 503 to each), and how the routes outside ``/api/v1`` authenticate.

Every route may answer 400: the edge refuses a path or query it cannot store
(tt.common.edge) before any route runs.
"""

from __future__ import annotations

from typing import Any

from tt.common.openapi import IDEMPOTENCY_KEY, Responses, errors

# A list: a filter it cannot read.
LISTED: Responses = errors(400)
# One resource by id: none with that id (or not the caller's).
FOUND: Responses = errors(400, 404)
# A create: a bad body, a conflict (a concurrent change, or the same Idempotency-Key
# still running), a body over the limit, a body that is not JSON, the Idempotency-Key
# reused with another body.
CREATED: Responses = errors(400, 409, 413, 415, 422)
# A change to one resource (an update, or an action such as approve).
CHANGED: Responses = errors(400, 404, 409, 413, 415)
# A deletion: a resource that must stay (a task with entries, a locked entry).
REMOVED: Responses = errors(400, 404, 409)

# The legacy ``/api/...`` routes take a browser session only (docs/api.md §1).
SESSION: dict[str, Any] = {"security": [{"session": []}]}
# ``/api/v2/ext``: a TimeTrack key and its secret, both (docs/api.md §6).
TIMETRACK: dict[str, Any] = {"security": [{"timetrack": [], "timetrackSecret": []}]}


def idempotent(body: dict[str, Any]) -> dict[str, Any]:
    """``openapi_extra`` of a create: its body (``json_body``) and ``Idempotency-Key``."""
    return {**body, **IDEMPOTENCY_KEY}
