"""The services' own processes: API replicas (``tt.common.serve`` on a public and an
internal port) and workers (the Kafka consumers, with a metrics port each), each started
only if its pid file names no running process."""

from __future__ import annotations

import sys

from tt.devenv.layout import REPO, Layout
from tt.devenv.platform_processes import replica_name, worker_name
from tt.devenv.procs import running, spawn
from tt.devenv.services import BY_NAME, SERVICES, service_env


def start_services(
    layout: Layout,
    secrets: dict[str, str],
    *,
    replicas: dict[str, int],
    workers: dict[str, int],
    otel_endpoint: str | None,
    started: list[str],
) -> None:
    """Every API replica and worker (these many per service) that is not running. Each one
    started is added to ``started`` at once, so after a failure further on the caller
    knows what to stop."""
    for spec in SERVICES:
        for replica in range(replicas.get(spec.name, 1)):
            if start_api_replica(layout, secrets, spec.name, replica, otel_endpoint):
                started.append(replica_name(spec.name, replica))
        for replica in range(workers.get(spec.name, 0)):
            if start_worker(layout, secrets, spec.name, replica, otel_endpoint):
                started.append(worker_name(spec.name, replica))


def start_api_replica(
    layout: Layout,
    secrets: dict[str, str],
    service: str,
    replica: int = 0,
    otel_endpoint: str | None = None,
) -> bool:
    """Start API replica ``replica`` of ``service``; False if it was already running."""
    name = replica_name(service, replica)
    if running(layout.pids, name):
        return False
    argv = [
        sys.executable,
        "-m",
        "tt.common.serve",
        f"tt.{service}.main:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(layout.port(service, replica)),
        "--internal-port",
        str(layout.internal_port(service, replica)),
        "--log-level",
        "warning",
    ]
    spawn(
        name,
        argv,
        pids=layout.pids,
        logs=layout.logs,
        cwd=REPO,
        env=service_env(layout, BY_NAME[service], secrets, otel_endpoint),
    )
    return True


def start_worker(
    layout: Layout,
    secrets: dict[str, str],
    service: str,
    replica: int = 0,
    otel_endpoint: str | None = None,
) -> bool:
    """Start worker ``replica`` of ``service``; False if it was already running."""
    name = worker_name(service, replica)
    if running(layout.pids, name):
        return False
    spawn(
        name,
        [sys.executable, "-m", f"tt.{service}.worker"],
        pids=layout.pids,
        logs=layout.logs,
        cwd=REPO,
        env={
            **service_env(layout, BY_NAME[service], secrets, otel_endpoint),
            "TT_METRICS_PORT": str(layout.worker_metrics_port(service, replica)),
        },
    )
    return True
