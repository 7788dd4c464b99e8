"""Changing a running platform: restart one service (after running its migrations) or the
gateway, and scale a service's API replicas and workers up or down."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tt.devenv.addresses import platform_addresses
from tt.devenv.admin_bootstrap import bootstrap_admin
from tt.devenv.migrations import migrate
from tt.devenv.platform_processes import replica_name, worker_name
from tt.devenv.procs import DevError
from tt.devenv.readiness import wait_for_gateway_pools, wait_until_ready
from tt.devenv.services import BY_NAME

if TYPE_CHECKING:
    from tt.devenv.platform import Platform


def restart(platform: Platform, name: str) -> None:
    """Restart one service (migrations, API replicas, workers) or the gateway."""
    if name == "gateway":
        platform.restart_gateway()
        wait_for_gateway_pools(platform.layout)
        return
    if name not in BY_NAME:
        raise DevError(f"unknown service {name!r}; one of gateway, {', '.join(BY_NAME)}")
    ctx = platform.context()
    migrate(platform.layout, BY_NAME[name], ctx.secrets)
    for i in range(platform.replicas().get(name, 1)):
        platform.stop_process(replica_name(name, i))
        platform.start_service(name, i)
    for i in range(platform.workers().get(name, 0)):
        platform.stop_process(worker_name(name, i))
        platform.start_worker(name, i)
    wait_until_ready(platform.layout, platform.replicas())
    wait_for_gateway_pools(platform.layout)
    platform.file.write(bootstrap_admin(ctx, platform.describe()))


def scale(platform: Platform, service: str, replicas: int, workers: int | None = None) -> None:
    """Run ``replicas`` API processes (and ``workers`` consumers) of one service."""
    if service not in BY_NAME:
        raise DevError(f"unknown service {service!r}; one of {', '.join(BY_NAME)}")
    desc = platform.describe()
    current = platform.replicas().get(service, 1)
    for i in range(replicas, current):
        platform.stop_process(replica_name(service, i))
    desc.setdefault("replicas", platform.replicas())[service] = replicas
    if workers is not None:
        for i in range(workers, platform.workers().get(service, 0)):
            platform.stop_process(worker_name(service, i))
        desc.setdefault("workers", platform.workers())[service] = workers
    platform.file.write(desc)
    for i in range(replicas):
        platform.start_service(service, i)
    for i in range(workers or 0):
        platform.start_worker(service, i)
    # The gateway's pools list the new replicas only after a restart.
    platform.restart_gateway()
    wait_until_ready(platform.layout, platform.replicas())
    wait_for_gateway_pools(platform.layout)
    desc = platform.describe()
    desc.update(
        platform_addresses(
            platform.layout, platform.secrets(), platform.replicas(), platform.workers()
        )
    )
    platform.file.write(desc)
