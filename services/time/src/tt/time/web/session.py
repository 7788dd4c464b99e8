"""The caller of a legacy session route: a browser session, with its CSRF token on
unsafe methods (checked here too, not only at the gateway)."""

from __future__ import annotations

import hmac

from fastapi import Depends, Request

from tt.common.errors import Forbidden
from tt.common.identity import Identity, require_auth_method

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def session_caller(
    request: Request, identity: Identity = Depends(require_auth_method("session"))
) -> Identity:
    """FastAPI dependency: a session identity; unsafe methods must echo its CSRF token."""
    if request.method not in SAFE_METHODS and identity.csrf_token is not None:
        sent = request.headers.get("x-csrf-token", "")
        if not hmac.compare_digest(sent.encode(), identity.csrf_token.encode()):
            raise Forbidden("The CSRF token is missing or invalid", error="CSRF check failed")
    return identity
