"""The shape of an approval: the API answer and, cut from it, the event state
(docs/events.md: ``comment`` is the decision's comment once there is one, the
request's before)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tt.time.approvals.models import Approval


def approval_view(approval: Approval, entry_ids: Sequence[int]) -> dict[str, Any]:
    return {
        "id": approval.id,
        "user_id": approval.user_id,
        "requested_by": approval.requested_by,
        "entry_ids": sorted(entry_ids),
        "entry_count": len(entry_ids),
        "status": approval.status,
        "comment": approval.decision_comment or approval.request_comment,
        "request_comment": approval.request_comment,
        "decision_comment": approval.decision_comment,
        "decided_by": approval.decided_by,
        "requested_at": approval.requested_at,
        "decided_at": approval.decided_at,
        "created_at": approval.created_at,
        "updated_at": approval.updated_at,
    }
