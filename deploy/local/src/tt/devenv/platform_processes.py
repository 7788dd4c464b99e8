"""The processes of a platform by name (``postgres``, ``time.0``, ``time-worker.0``,
``gateway`` ...): every one in start order, the ports each listens on, the check that
those are free before a start, and how each one stops."""

from __future__ import annotations

from tt.devenv import infra
from tt.devenv.layout import Layout
from tt.devenv.procs import DevError, port_free, running, stop
from tt.devenv.services import BY_NAME, SERVICES

INFRA = ("postgres", "redis", "kafka")


def replica_name(service: str, replica: int) -> str:
    """The process name of API replica ``replica`` of ``service``."""
    return f"{service}.{replica}"


def worker_name(service: str, replica: int) -> str:
    """The process name of worker ``replica`` of ``service``."""
    return f"{service}-worker.{replica}"


def process_names(replicas: dict[str, int], workers: dict[str, int]) -> list[str]:
    """Every process of a platform that runs these counts, in start order."""
    names = list(INFRA)
    for spec in SERVICES:
        names += [replica_name(spec.name, i) for i in range(replicas.get(spec.name, 1))]
        names += [worker_name(spec.name, i) for i in range(workers.get(spec.name, 0))]
    return [*names, "gateway"]


def ports_of(layout: Layout, name: str) -> dict[str, int]:
    """The ports process ``name`` listens on, by what each is for."""
    ports = layout.ports
    if name == "kafka":
        return {"kafka": ports["kafka"], "kafka controller": ports["kafka-controller"]}
    if name == "gateway":
        return {
            "gateway": ports["gateway"],
            "gateway admin": ports["gateway-admin"],
            "gateway verify": ports["gateway-verify"],
        }
    if name in ports:
        return {name: ports[name]}
    service, _, replica = name.partition(".")
    if service in BY_NAME:
        return {
            name: layout.port(service, int(replica)),
            f"{name} internal": layout.internal_port(service, int(replica)),
        }
    if service.removesuffix("-worker") in BY_NAME:
        port = layout.worker_metrics_port(service.removesuffix("-worker"), int(replica))
        return {f"{name} metrics": port}
    return {}


def check_ports_free(layout: Layout, names: list[str]) -> None:
    """Fail before starting anything if a port of a process not running yet is taken by
    another program."""
    busy = [
        f"{label} ({port})"
        for name in names
        if not running(layout.pids, name)
        for label, port in ports_of(layout, name).items()
        if not port_free(port)
    ]
    if busy:
        raise DevError(
            "ports already in use by another program: "
            + ", ".join(busy)
            + "; stop it, or pick other ports with TT_PORT_BASE=<n>"
        )


def stop_process(layout: Layout, name: str) -> bool:
    """Stop process ``name`` (found by its pid file); True if it was running."""
    if name == "postgres":
        return infra.stop_postgres(layout)
    # Kafka's clean shutdown takes longer than the others'.
    return stop(layout.pids, name, timeout=20 if name == "kafka" else 10)
