"""Reading request bodies at the edge, for routes that read them by hand.

Bodies are read by hand rather than through FastAPI's body parameters because the
reference apps send body-less POST/DELETE requests that still say
``Content-Type: application/json``; an empty body here is simply ``{}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import orjson
from fastapi import Request
from pydantic import BaseModel, ValidationError

from tt.common.errors import NotFound, UnsupportedMediaType, ValidationFailed, validation_errors
from tt.common.fields import MAX_ID

M = TypeVar("M", bound=BaseModel)

# Media types read as JSON; a body sent without a Content-Type is read as JSON too.
JSON_MEDIA = frozenset({"", "application/json", "text/json", "text/plain"})


async def json_object(request: Request) -> dict[str, Any]:
    """The JSON object in the body, ``{}`` when there is no body; 400/415 otherwise."""
    raw = await request.body()
    if not raw.strip():
        return {}
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in JSON_MEDIA and not media.endswith("+json"):
        raise UnsupportedMediaType(f"Send the body as application/json, not {media}")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ValidationFailed({"body": ["Malformed JSON body"]}, "Malformed JSON body") from None
    if not isinstance(data, dict):
        raise ValidationFailed({"body": ["The body must be a JSON object"]})
    return data


def parse(model: type[M], data: Mapping[str, Any]) -> M:
    """Validate ``data`` against ``model``; 400 ``validation_error`` with ``errors``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [_plain(err) for err in exc.errors(include_url=False)]
        raise ValidationFailed(validation_errors(errors)) from None


def _plain(err: Any) -> Any:
    # "Value error, Must be ..." -> "Must be ..." (our validators word their own messages)
    if err.get("type") == "value_error" and "error" in err.get("ctx", {}):
        return {**err, "msg": str(err["ctx"]["error"])}
    return err


def parse_id(value: int, what: str) -> int:
    """A path id (routes match digits only, ``{x_id:int}``, so sibling paths such as
    ``/time-entries/export`` stay free); one that cannot be one of ours is not found."""
    if 0 < value <= MAX_ID:
        return value
    raise NotFound(f"{what} not found")


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` declaring ``model`` as the (optional) JSON request body."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return {
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": schema}},
        }
    }
