"""Field rules every service's request models share: the id bound, the NUL check, ids
and text in bodies, and the models' configs.

- ids are positive bigints, given as JSON integers or digit strings (one desktop app sends
  ``project_id`` from a ``<select>``, as a string); booleans and floats are refused;
- text refuses NUL characters (PostgreSQL cannot store them) and is length-limited.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, WithJsonSchema
from pydantic_core import PydanticCustomError

MAX_ID = 2**63 - 1
"""The largest id: ids are PostgreSQL bigints. One outside is a 404 or a field error,
never a database error."""

NUL_REFUSED = "Must not contain NUL characters"


def has_nul(value: Any) -> bool:
    """Whether a string, or any key or string inside JSON-like dicts and lists, holds NUL
    (PostgreSQL's text and jsonb cannot store U+0000)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def refuse_nul(value: str) -> str:
    """``value`` unchanged, or a field error: never the database error (a 500) it would
    otherwise become."""
    if "\x00" in value:
        raise PydanticCustomError("string_nul", NUL_REFUSED)
    return value


NoNul = AfterValidator(refuse_nul)
"""``Annotated[str, NoNul]``: a string that PostgreSQL can store."""

# Request models reject keys they do not know (as the reference server's strict schemas do).
STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True, hide_input_in_errors=True)
LENIENT = ConfigDict(extra="ignore", str_strip_whitespace=True, hide_input_in_errors=True)


def to_id(value: Any) -> int:
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Must be an integer id")
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise PydanticCustomError("int_type", "Must be an integer id")
    if not 0 < value <= MAX_ID:
        raise PydanticCustomError("int_range", "Must be a positive integer id")
    return value


BodyId = Annotated[
    int,
    BeforeValidator(to_id),
    # What the OpenAPI document shows (the validator above is what decides).
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID}),
]
"""An id in a request body: a positive bigint, as a JSON integer or a digit string."""


def text_field(max_length: int, min_length: int = 0) -> Any:
    """A string of ``min_length`` to ``max_length`` characters (trimmed), without NUL."""

    def check(value: Any) -> Any:
        if not isinstance(value, str):
            raise PydanticCustomError("string_type", "Must be a string")
        value = refuse_nul(value).strip()
        if len(value) > max_length:
            raise PydanticCustomError("string_too_long", f"Must be at most {max_length} characters")
        if len(value) < min_length:
            raise PydanticCustomError("string_too_short", "Must not be empty")
        return value

    return BeforeValidator(check)
