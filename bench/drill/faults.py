"""The faults of the drill, each a few calls on the platform's own process controller
(the processes it tracks by pid file under its state folder, never found by name)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

from drill.config import Timings
from drill.subscribers import Subscribers
from tt.devenv.platform import Platform
from tt.devenv.procs import DevError, read_pid, running, wait_for_port
from tt.devenv.services import SERVICES


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Fault:
    """``inject``, then ``hold`` seconds, then ``restore``; ``prepare`` and ``cleanup``
    run with no load (reshaping the platform, such as a second replica)."""

    name: str
    how: str
    inject: Callable[[], object]
    restore: Callable[[], object] = _nothing
    hold: float = 0.0
    prepare: Callable[[], object] = _nothing
    cleanup: Callable[[], object] = _nothing
    settle: float | None = None  # the longest wait for consistency (None: the default)


def sigkill(platform: Platform, name: str) -> None:
    """SIGKILL the process group recorded for ``name``."""
    pid = read_pid(platform.layout.pids, name)
    if pid is None or not running(platform.layout.pids, name):
        raise DevError(f"{name} is not running, nothing to kill")
    os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while running(platform.layout.pids, name) and time.monotonic() < deadline:
        time.sleep(0.05)


def _start_kafka(p: Platform) -> None:
    """Start the broker; on a busy machine its JVM may take longer than the 90 s the
    platform waits at start-up: keep waiting while the process lives."""
    try:
        p.start_infra("kafka")
    except DevError:
        if not running(p.layout.pids, "kafka"):
            raise
        layout = p.layout
        wait_for_port(
            "kafka", layout.ports["kafka"], pids=layout.pids, logs=layout.logs, timeout=240
        )


def _restart_postgres(p: Platform) -> None:
    p.stop_process("postgres")
    p.start_infra("postgres")


def build(platform: Platform, subscribers: Subscribers | None, timings: Timings) -> list[Fault]:
    """Every fault of the drill, in the order it runs them (``subscribers`` may be None
    to list them)."""
    p = platform
    faults = [
        Fault(
            "kafka killed",
            f"SIGKILL the broker, start it {timings.kafka_down:g} s later",
            inject=lambda: sigkill(p, "kafka"),
            restore=lambda: _start_kafka(p),
            hold=timings.kafka_down,
        ),
        Fault(
            "postgres restart",
            "fast shutdown (SIGINT, as pg_ctl restart -m fast), then start",
            inject=lambda: _restart_postgres(p),
        ),
        Fault(
            "postgres down",
            f"fast shutdown, start {timings.postgres_down:g} s later",
            inject=lambda: p.stop_process("postgres"),
            restore=lambda: p.start_infra("postgres"),
            hold=timings.postgres_down,
        ),
        Fault(
            "redis killed",
            f"SIGKILL Redis, start it {timings.redis_down:g} s later",
            inject=lambda: sigkill(p, "redis"),
            restore=lambda: p.start_infra("redis"),
            hold=timings.redis_down,
        ),
    ]
    for spec in SERVICES:
        faults.append(_replica_fault(p, spec.name, timings))
    for spec in SERVICES:
        if spec.has_worker:
            faults.append(_worker_fault(p, spec.name, timings))
    faults += [
        Fault(
            "traefik restart",
            "stop the gateway (SIGTERM), start it, wait for its pools",
            inject=lambda: p.restart("gateway"),
        ),
        Fault(
            "subscriber 500",
            f"one of the 3 subscribers answers 500 for {timings.subscriber_failing:g} s",
            inject=lambda: subscribers and subscribers.fail(0, True),
            restore=lambda: subscribers and subscribers.fail(0, False),
            hold=timings.subscriber_failing,
            settle=timings.subscriber_settle,
        ),
    ]
    return faults


def _replica_fault(p: Platform, service: str, timings: Timings) -> Fault:
    before = p.replicas().get(service, 1)
    return Fault(
        f"{service} replica killed",
        f"2 replicas, SIGKILL one, start it {timings.replica_down:g} s later",
        prepare=lambda: p.scale(service, max(2, before)),
        inject=lambda: sigkill(p, f"{service}.0"),
        restore=lambda: p.start_service(service, 0),
        hold=timings.replica_down,
        cleanup=lambda: p.scale(service, before),
    )


def _worker_fault(p: Platform, service: str, timings: Timings) -> Fault:
    return Fault(
        f"{service} worker killed",
        f"SIGKILL the worker under load, start it {timings.worker_down:g} s later",
        inject=lambda: sigkill(p, f"{service}-worker.0"),
        restore=lambda: p.start_worker(service, 0),
        hold=timings.worker_down,
    )


def choose(faults: list[Fault], only: str | None) -> list[Fault]:
    """``--faults kafka,redis``: the faults whose name contains one of the words."""
    if not only:
        return faults
    words = [w.strip() for w in only.split(",") if w.strip()]
    chosen = [f for f in faults if any(w in f.name for w in words)]
    if not chosen:
        names = ", ".join(f.name for f in faults)
        raise SystemExit(f"no fault matches {only!r}; the faults are: {names}")
    return chosen
