"""Path and query parameter types shared by the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

# Ids are PostgreSQL bigints: anything outside is a 404 (tt.common's handler), never a
# database error.
MAX_ID = 2**63 - 1
EntityId = Annotated[int, Path(ge=1, le=MAX_ID)]
