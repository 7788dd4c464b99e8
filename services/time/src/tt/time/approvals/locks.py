"""What an approval does to its entries: while pending and once approved, only an admin
may change or delete them (every write path asks ``ensure_editable``); a rejected entry
is the owner's to fix and submit again."""

from __future__ import annotations

from tt.common.errors import Conflict, Forbidden
from tt.common.identity import Identity

LOCKED = frozenset({"pending", "approved"})


def locked_for(approval_status: str | None, identity: Identity) -> bool:
    return approval_status in LOCKED and not identity.acts_as_admin


def ensure_editable(approval_status: str | None, identity: Identity) -> None:
    """403 for an approved entry, 409 for one awaiting approval (admins pass)."""
    if not locked_for(approval_status, identity):
        return
    if approval_status == "approved":
        raise Forbidden(
            "Approved time entries can only be changed by an administrator",
            error="Time entry approved",
        )
    raise Conflict(
        "This time entry is awaiting approval; it can be changed once the request is decided",
        error="Time entry awaiting approval",
    )
