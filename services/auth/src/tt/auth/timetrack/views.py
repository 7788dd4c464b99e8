"""The key object every TimeTrack keys answer carries (``KeyOut`` in schemas.py)."""

from __future__ import annotations

from typing import Any

from tt.auth.timetrack.models import TimeTrackKey


def key_view(key: TimeTrackKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "user_id": key.user_id,
        "api_key": key.api_key,
        "created_at": key.created_at,
        "revoked_at": key.revoked_at,
        "is_active": key.revoked_at is None,
    }
