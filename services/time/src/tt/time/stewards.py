"""Who may change what on shared records (projects, clients).

Projects and clients are shared: every user with the write scope may rename them or fix
a description, as in the reference product. Money and lifecycle are not: a rate, a
budget, the status (archiving included) and deleting are for the record's creator and
administrators only (docs/security.md, "Shared records").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tt.common.errors import Forbidden
from tt.common.identity import Identity


def may_steward(identity: Identity, created_by: int | None) -> bool:
    """The record's creator, or someone acting as admin."""
    return identity.acts_as_admin or (created_by is not None and created_by == identity.user_id)


def check_stewarded_changes(
    identity: Identity,
    record: Any,
    values: Mapping[str, Any],
    stewarded: Iterable[str],
    what: str,
) -> None:
    """Raise Forbidden when ``values`` change a stewarded field of ``record`` and the
    caller is neither its creator nor an admin (unchanged values pass)."""
    touched = sorted(
        name for name in stewarded if name in values and getattr(record, name) != values[name]
    )
    if touched and not may_steward(identity, record.created_by):
        raise Forbidden(
            f"Only the {what}'s creator or an administrator may change {', '.join(touched)}",
            error="Not allowed to change this field",
        )


def check_may_retire(identity: Identity, record: Any, what: str) -> None:
    """Archiving or deleting: the creator or an admin only."""
    if not may_steward(identity, record.created_by):
        raise Forbidden(
            f"Only the {what}'s creator or an administrator may archive or delete it",
            error="Not allowed to archive or delete",
        )
