"""Field errors worded as the admin APIs have always answered them.

These bodies were validated by FastAPI before they were read with ``tt.common.body``,
whose ``parse`` drops pydantic's ``Value error, `` prefix from a validator's message.
Clients already match the old wording, so a validator raises ``refused(...)``, which
keeps it (docs/api.md §2: ``errors`` is part of the contract)."""

from __future__ import annotations

from pydantic_core import PydanticCustomError


def refused(reason: str) -> PydanticCustomError:
    """A field error whose message is ``Value error, <reason>``."""
    # The reason travels in the context: text from the request ("{x}") is not a template.
    return PydanticCustomError("value_error", "Value error, {reason}", {"reason": reason})
