"""The events webhooks can subscribe to (those of docs/events.md), who may see
each one, and the glob patterns subscriptions use to choose them.

A glob is an event type with ``*`` (any run of characters) and ``?`` (one character):
``tt.time_entry.*``, ``tt.*.deleted``, ``*``.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from tt.common.contracts import auth as auth_contracts
from tt.common.contracts import time as time_contracts
from tt.common.events import Event

# Every type the publishers declare (tt.common.contracts, docs/events.md), in their order.
EVENT_TYPES: tuple[str, ...] = tuple(
    event_type.name
    for entity in (*auth_contracts.ENTITIES, *time_contracts.ENTITIES)
    for event_type in entity.types.values()
)

# The read scope a token needs to subscribe to an entity's events (docs/api.md §1).
READ_SCOPE: dict[str, str] = {
    "user": "read:users",
    "api_token": "read:users",
    "client": "read:clients",
    "project": "read:projects",
    "task": "read:tasks",
    "time_entry": "read:time_entries",
    "approval": "read:time_entries",
}

# Clients, projects and tasks are shared records every user may read through the API;
# the other entities belong to one user, whose subscriptions alone (and admins') get them.
SHARED_ENTITIES = frozenset({"client", "project", "task"})

# The synthetic event ``POST /api/v1/webhooks/<id>/test`` sends.
TEST_EVENT_TYPE = "tt.webhook.test"

GLOB_PATTERN = re.compile(r"^[a-z0-9_.*?]{1,100}$")


def matching_types(glob: str) -> list[str]:
    """The known event types ``glob`` selects."""
    return [t for t in EVENT_TYPES if fnmatch.fnmatchcase(t, glob)]


def glob_to_regex(globs: list[str]) -> str:
    """One PostgreSQL regular expression matching any of ``globs`` (validated before)."""
    parts = []
    for glob in globs:
        parts.append("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob))
    return "^(" + "|".join(parts) + ")$"


def event_owner(event: Event) -> int | None:
    """The user an event belongs to; None for shared records (visible to every user).

    Unknown or malformed ownership answers -1: only admins' subscriptions get the event.
    """
    if event.entity in SHARED_ENTITIES:
        return None
    state: dict[str, Any] = event.state
    key = "id" if event.entity == "user" else "user_id"
    try:
        return int(state[key])
    except (KeyError, TypeError, ValueError):
        return -1
