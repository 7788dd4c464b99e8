"""The token object every tokens answer carries (``TokenOut`` in schemas.py)."""

from __future__ import annotations

from typing import Any

from tt.auth.tokens.models import ApiToken


def token_view(token: ApiToken) -> dict[str, Any]:
    """A token as the admin API shows it: never its text or its hash."""
    return {
        "id": token.id,
        "name": token.name,
        "description": token.description,
        "user_id": token.user_id,
        "token_prefix": token.token_prefix,
        "scopes": list(token.scopes),
        "expires_at": token.expires_at,
        "created_at": token.created_at,
        "updated_at": token.updated_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
        "is_active": token.is_active,
        "rate_limit_per_minute": token.rate_limit_per_minute,
        "rate_limit_per_hour": token.rate_limit_per_hour,
    }
