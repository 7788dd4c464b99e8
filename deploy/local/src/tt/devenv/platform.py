"""One local platform (profile ``up`` or ``test``): the handle ``./dev``, the tests and the
fault drill act on. It starts the platform in order (infrastructure, databases, migrations
and topics, services and workers, the gateway, the admin user) and stops it; each of those
steps, and restarting or scaling a running platform, lives in a module of its own."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tt.devenv import gateway, infra, platform_processes, scaling, service_processes
from tt.devenv.addresses import platform_addresses
from tt.devenv.admin_bootstrap import bootstrap_admin
from tt.devenv.infra_startup import STARTERS, start_missing_infra
from tt.devenv.install import Tools, ensure_all
from tt.devenv.layout import Layout
from tt.devenv.platform_file import PlatformFile, layout_from_file
from tt.devenv.platform_processes import check_ports_free, process_names
from tt.devenv.procs import running
from tt.devenv.provisioning import provision
from tt.devenv.readiness import wait_for_gateway_pools, wait_until_ready
from tt.devenv.secrets_file import load_or_create_secrets
from tt.devenv.service_processes import start_services
from tt.devenv.status import status_rows


class Platform:
    """One local platform instance, found by its layout (ports and state folder)."""

    def __init__(self, layout: Layout, *, say: Callable[[str], None] = print) -> None:
        self.layout = layout
        self.say = say
        self.file = PlatformFile(layout)
        self._tools: Tools | None = None

    @classmethod
    def from_file(cls, path: str | Path) -> Platform:
        """The platform a ``platform.json`` describes."""
        return cls(layout_from_file(path))

    # ------------------------------------------------------------ what it is

    def describe(self) -> dict[str, Any]:
        return self.file.read()

    @property
    def tools(self) -> Tools:
        """The binaries it runs, installed on first use."""
        if self._tools is None:
            self._tools = ensure_all()
        return self._tools

    def secrets(self) -> dict[str, str]:
        return load_or_create_secrets(self.layout)

    def context(self) -> infra.Context:
        return infra.Context(self.layout, self.tools, self.secrets())

    def replicas(self) -> dict[str, int]:
        return self.file.replicas()

    def workers(self) -> dict[str, int]:
        return self.file.workers()

    def otel_endpoint(self) -> str | None:
        return self.file.otel_endpoint()

    def processes(self) -> list[str]:
        """Every process name of the platform, in start order."""
        return process_names(self.replicas(), self.workers())

    def is_running(self) -> bool:
        return all(running(self.layout.pids, n) for n in self.processes())

    def status(self) -> list[tuple[str, str, str]]:
        return status_rows(self.layout, self.processes())

    # ------------------------------------------------------------ up / down

    def up(
        self, *, otel_endpoint: str | None = None, replicas: dict[str, int] | None = None
    ) -> dict[str, Any]:
        """Start whatever is not running yet; returns the platform description."""
        started_at = time.monotonic()
        if self.is_running() and not replicas and otel_endpoint == self.otel_endpoint():
            self.say(f"tt is already running ({self.layout.profile}); nothing to do")
            return self.describe()
        self.layout.state.mkdir(parents=True, exist_ok=True)
        desc = self.describe()
        desc["replicas"] = {**self.replicas(), **(replicas or {})}
        desc["workers"] = self.workers()
        desc["otel_endpoint"] = otel_endpoint
        self.file.write(desc)
        check_ports_free(self.layout, self.processes())
        ctx = self.context()
        started: list[str] = []
        try:
            start_missing_infra(ctx, started, self.say)
            provision(ctx, self.say)
            start_services(
                self.layout,
                ctx.secrets,
                replicas=self.replicas(),
                workers=self.workers(),
                otel_endpoint=self.otel_endpoint(),
                started=started,
            )
            self.restart_gateway(ctx)
            started.append("gateway")
            wait_until_ready(self.layout, self.replicas())
            wait_for_gateway_pools(self.layout)
            desc = bootstrap_admin(ctx, desc)
        except BaseException:
            self.say("start-up failed; stopping what this run started")
            for name in reversed(started):
                self.stop_process(name)
            raise
        desc.update(platform_addresses(self.layout, ctx.secrets, self.replicas(), self.workers()))
        desc["started_in_seconds"] = round(time.monotonic() - started_at, 1)
        self.file.write(desc)
        return desc

    def down(self) -> list[str]:
        """Stop every process this platform started (by pid file), newest first."""
        stopped = []
        known = set(self.processes())
        extra = sorted(p.stem for p in self.layout.pids.glob("*.pid") if p.stem not in known)
        for name in [*reversed(self.processes()), *extra]:
            if self.stop_process(name):
                stopped.append(name)
        return stopped

    # ------------------------------------------------------------ single processes

    def start_infra(self, name: str) -> None:
        """Start one infrastructure server (fault tests restart them)."""
        if not running(self.layout.pids, name):
            STARTERS[name](self.context())

    def start_service(self, service: str, replica: int = 0) -> bool:
        """Start one API replica; False if it was already running."""
        return service_processes.start_api_replica(
            self.layout, self.secrets(), service, replica, self.otel_endpoint()
        )

    def start_worker(self, service: str, replica: int = 0) -> bool:
        """Start one worker; False if it was already running."""
        return service_processes.start_worker(
            self.layout, self.secrets(), service, replica, self.otel_endpoint()
        )

    def stop_process(self, name: str) -> bool:
        return platform_processes.stop_process(self.layout, name)

    def gateway_env(self) -> dict[str, str]:
        return gateway.gateway_env(self.layout, self.replicas())

    def restart_gateway(self, ctx: infra.Context | None = None) -> None:
        gateway.restart_gateway(ctx or self.context(), self.replicas(), self.otel_endpoint())

    # ------------------------------------------------------------ changing it

    def restart(self, name: str) -> None:
        """Restart one service (migrations, API replicas, workers) or the gateway."""
        scaling.restart(self, name)

    def scale(self, service: str, replicas: int, workers: int | None = None) -> None:
        """Run ``replicas`` API processes (and ``workers`` consumers) of one service."""
        scaling.scale(self, service, replicas, workers)
