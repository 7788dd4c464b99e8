"""Waiting for a started platform to serve: every API replica answers ``/readyz`` and the
gateway its ping, then the gateway's own health checks see every replica up."""

from __future__ import annotations

import time

import httpx

from tt.devenv.layout import Layout
from tt.devenv.platform_processes import replica_name
from tt.devenv.procs import DevError, running
from tt.devenv.services import SERVICES


def wait_until_ready(layout: Layout, replicas: dict[str, int], timeout: float = 90) -> None:
    """Until these replicas and the gateway are ready; fails at once if one exits."""
    deadline = time.monotonic() + timeout
    pending = {
        replica_name(s.name, i): f"http://127.0.0.1:{layout.port(s.name, i)}/readyz"
        for s in SERVICES
        for i in range(replicas.get(s.name, 1))
    }
    pending["gateway"] = f"http://127.0.0.1:{layout.ports['gateway-admin']}/ping"
    last: dict[str, str] = {}
    with httpx.Client(timeout=3) as client:
        while pending and time.monotonic() < deadline:
            for name, url in list(pending.items()):
                if not running(layout.pids, name):
                    raise DevError(
                        f"{name} exited during start-up; see {layout.logs / (name + '.log')}"
                    )
                try:
                    response = client.get(url)
                    if response.status_code == 200:
                        del pending[name]
                    else:
                        last[name] = f"{response.status_code} {response.text[:200]}"
                except httpx.HTTPError as exc:
                    last[name] = str(exc) or type(exc).__name__
            time.sleep(0.2)
    if pending:
        detail = "; ".join(f"{n}: {last.get(n, 'no answer')}" for n in pending)
        raise DevError(f"not ready after {timeout:.0f}s: {detail}")


def wait_for_gateway_pools(layout: Layout, timeout: float = 30) -> None:
    """Until Traefik's health checks see every replica up (a replica that was still
    starting when Traefik first probed it stays out of its pool until the next probe)."""
    url = f"http://127.0.0.1:{layout.ports['gateway-admin']}/api/http/services"
    deadline = time.monotonic() + timeout
    down: list[str] = []
    with httpx.Client(timeout=3) as client:
        while time.monotonic() < deadline:
            try:
                pools = client.get(url).json()
            except (httpx.HTTPError, ValueError):
                pools = []
            down = [
                f"{pool['name']} {server}"
                for pool in pools
                for server, state in (pool.get("serverStatus") or {}).items()
                if state != "UP"
            ]
            if pools and not down:
                return
            time.sleep(0.2)
    raise DevError(f"the gateway still sees replicas down after {timeout:.0f}s: {down}")
