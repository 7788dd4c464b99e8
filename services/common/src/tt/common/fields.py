"""Field rules every service's request models share: the id bound and the NUL check."""

from __future__ import annotations

from typing import Any

from pydantic import AfterValidator
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
