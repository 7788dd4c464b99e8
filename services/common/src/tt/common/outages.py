"""Failures of a dependency (PostgreSQL restarting, a connection lost, a network error,
a statement that ran out of time) rather than of the request or the event: the same work
may succeed if tried again. Consumers retry it; HTTP answers 503 instead of 500."""

from __future__ import annotations

import asyncpg
from redis import exceptions as redis_exc
from sqlalchemy import exc as sa_exc

# SQLSTATE classes: 08 connection exception, 57P operator intervention (shutting down,
# cannot connect now), 53 insufficient resources.
TRANSIENT_SQLSTATES = ("08", "57P", "53")
DEPENDENCY_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    TimeoutError,
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,  # no pooled connection came free in time
    # The driver lost its protocol state, e.g. the server ended the session as a statement
    # began (an idle-session timeout); the work succeeds on another connection. Raised
    # bare on a session's driver connection (SQLAlchemy wraps only what it executes).
    asyncpg.exceptions.InternalClientError,
    redis_exc.ConnectionError,  # Redis down or restarting (not an OSError)
    redis_exc.TimeoutError,
)


def is_dependency_outage(exc: BaseException) -> bool:
    """Whether ``exc`` says a dependency is down or too slow, not that the work is wrong."""
    if isinstance(exc, sa_exc.DBAPIError):
        state = getattr(exc.orig, "sqlstate", None)
        if exc.connection_invalidated or str(state or "").startswith(TRANSIENT_SQLSTATES):
            return True
    # A connection attempt that the server refuses while it shuts down or starts up
    # ("cannot connect now", 57P03) comes as the driver's own exception: SQLAlchemy wraps
    # the errors of established connections only.
    elif str(getattr(exc, "sqlstate", None) or "").startswith(TRANSIENT_SQLSTATES):
        return True
    return isinstance(exc, DEPENDENCY_ERRORS)
