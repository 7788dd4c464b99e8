"""Pydantic field validators every service's request models share."""

from __future__ import annotations

from pydantic import AfterValidator

MAX_ID = 2**63 - 1
"""The largest id: ids are PostgreSQL bigints. One outside is a 404 or a field error,
never a database error."""


def _without_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL: a field error here, never a database error (a 500).
    if "\x00" in value:
        raise ValueError("Must not contain NUL characters")
    return value


NoNul = AfterValidator(_without_nul)
"""``Annotated[str, NoNul]``: a string that PostgreSQL can store."""
