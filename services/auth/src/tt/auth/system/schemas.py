"""The answers of ``/api/v1/info`` and ``/api/v1/health``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class Info(BaseModel):
    """What the reference product's apps read before they sign in (docs/api.md §9)."""

    api_version: Literal["v1"]
    app_version: str
    setup_required: bool
    enabled_modules: list[str]
    documentation_url: str
    authentication: str
    endpoints: dict[str, Any] = Field(
        description="Name -> path; a group of routes is an object of name -> path"
    )
    timezone: str


class Health(BaseModel):
    status: Literal["healthy"]
    timestamp: datetime
