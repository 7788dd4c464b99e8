"""OpenAPI documentation of bodies that routes read by hand (see ``body.py``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


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
