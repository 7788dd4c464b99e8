"""Lower CPU priority for background work: a worker process and the PostgreSQL backends
that serve it, so a backlog's drain takes the CPU that requests leave idle.

A nice value alone does not do it on Linux. Autogroup scheduling, on by default, shares
the CPU between sessions first and ranks a process by its nice value only inside its
own session. Every service process leads its own session, and so does every PostgreSQL
backend. So ``lower`` sets both the process's nice value and its session's, through
``/proc/<pid>/autogroup``."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("tt.priority")


def lower(pid: int, niceness: int) -> bool:
    """Give process ``pid`` (0: this one) the nice value ``niceness``, and its session
    too where the kernel groups by session. False if the process is not ours to change."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, niceness)
    except OSError:
        return False
    with contextlib.suppress(OSError):  # no autogroup scheduling: the nice value does it
        Path(f"/proc/{pid or 'self'}/autogroup").write_text(str(niceness))
    return True


def lower_database_backends(engine: AsyncEngine, niceness: int) -> None:
    """Lower each PostgreSQL backend the engine connects to, when the backend is a process
    of this host (a local platform). Where PostgreSQL runs elsewhere, in a container or
    on another machine, the backend's pid names no postgres process here, and nothing is
    changed."""

    @event.listens_for(engine.sync_engine.pool, "connect")
    def _lower_backend(dbapi_connection: Any, _: Any) -> None:
        pid = dbapi_connection.driver_connection.get_server_pid()
        if _is_postgres(pid) and not lower(pid, niceness):
            log.debug("could not lower the priority of backend %s", pid)


def _is_postgres(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"postgres")
    except OSError:
        return False
