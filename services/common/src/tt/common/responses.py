"""A fast JSON response (orjson), used as every app's default response class."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from starlette import responses

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC | orjson.OPT_NON_STR_KEYS


class JSONResponse(responses.JSONResponse):
    """Serialises with orjson: datetimes as ISO 8601 with ``Z``, decimals as strings.

    A JSON response class to FastAPI too, so a route's ``response_model`` is what the
    OpenAPI document shows for its answer (for any other class FastAPI writes
    ``{"type": "string"}``, which no JSON object matches)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=_OPTIONS, default=json_default)


def json_default(value: Any) -> Any:
    # Decimal (money) and sets (scopes) are the only non-native types our payloads carry.
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
