"""Path and query parameter types shared by the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from tt.common.fields import MAX_ID

# Anything outside is a 404 (tt.common's handler), never a database error.
EntityId = Annotated[int, Path(ge=1, le=MAX_ID)]
