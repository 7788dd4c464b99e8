"""``./dev status``: whether each process of the platform runs, and whether each API
replica answers ``/readyz``."""

from __future__ import annotations

import httpx

from tt.devenv.layout import Layout
from tt.devenv.procs import read_pid, running
from tt.devenv.services import BY_NAME


def status_rows(layout: Layout, names: list[str]) -> list[tuple[str, str, str]]:
    """One row per process: its name, running (with its pid) or stopped, and for an API
    replica what its ``/readyz`` answered."""
    rows = []
    with httpx.Client(timeout=2) as client:
        for name in names:
            pid = read_pid(layout.pids, name)
            if not running(layout.pids, name):
                rows.append((name, "stopped", ""))
                continue
            service, _, replica = name.partition(".")
            health = ""
            if service in BY_NAME:
                url = f"http://127.0.0.1:{layout.port(service, int(replica))}/readyz"
                try:
                    r = client.get(url)
                    health = "ready" if r.status_code == 200 else f"not ready: {r.text}"
                except httpx.HTTPError as exc:
                    health = f"no answer: {exc}"
            rows.append((name, f"running (pid {pid})", health))
    return rows
