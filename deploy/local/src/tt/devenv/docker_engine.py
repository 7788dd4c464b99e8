"""A Docker engine and the ``docker compose`` v2 CLI for ``./dev compose`` and
``./dev test-compose``: installed and started when missing, and stopped again (by pid)
by whoever started it.

The engine is Debian's ``docker.io``; compose v2 is built with ``go install`` from the Go
module proxy when no ``docker compose`` plugin is installed (Debian only has v1).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tt.devenv.install import _apt_install
from tt.devenv.layout import CACHE
from tt.devenv.procs import DevError, run, running, spawn, stop

COMPOSE_VERSION = "v2.29.7"
ENGINE_PROCESS = "dockerd"
# On cgroup v1 every container lives under one "docker" cpu cgroup, whose weight is that
# of a single host process: on a busy machine the whole stack would crawl (health checks
# time out). While our engine runs, the group weighs as much as this many processes.
DOCKER_CPU_SHARES = Path("/sys/fs/cgroup/cpu/docker/cpu.shares")
FAIR_SHARE_PROCESSES = 8


def docker_answers(timeout: float = 10) -> bool:
    """True when a Docker engine answers on the default socket."""
    if shutil.which("docker") is None:
        return False
    try:
        result = subprocess.run(
            ["docker", "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0


@dataclass
class Engine:
    """A running engine; ``state`` holds the pid of the dockerd we started, if we did."""

    state: Path
    started_here: bool

    @property
    def pids(self) -> Path:
        return self.state / "pids"

    def stop_if_started_here(self) -> bool:
        """Stop dockerd (and the containerd it runs) if this run started it."""
        if not self.started_here:
            return False
        stopped = stop(self.pids, ENGINE_PROCESS, timeout=60)
        _set_cpu_shares(1024)  # the kernel's default weight again
        return stopped


def ensure_engine(state: Path, say: Callable[[str], None] = print) -> Engine:
    """The engine on this machine; installs Debian's docker.io and starts dockerd if needed."""
    engine = Engine(state, started_here=False)
    if docker_answers():
        return engine
    if running(engine.pids, ENGINE_PROCESS):
        return _wait_for_engine(Engine(state, started_here=True))
    if shutil.which("dockerd") is None or shutil.which("debootstrap") is None:
        _apt_install("docker.io", "debootstrap")
    if shutil.which("dockerd") is None:
        raise DevError("dockerd not found after installing docker.io")
    spawn(
        ENGINE_PROCESS,
        ["dockerd", "--pidfile", str(state / "dockerd.pid")],
        pids=engine.pids,
        logs=state / "logs",
    )
    say("  started a Docker engine (dockerd); it is stopped again at the end")
    engine = _wait_for_engine(Engine(state, started_here=True))
    _set_cpu_shares(1024 * FAIR_SHARE_PROCESSES)
    return engine


def _set_cpu_shares(shares: int) -> None:
    if not DOCKER_CPU_SHARES.parent.parent.is_dir():
        return  # cgroup v2 (weights per container already) or no cpu controller
    try:
        DOCKER_CPU_SHARES.parent.mkdir(exist_ok=True)
        DOCKER_CPU_SHARES.write_text(f"{shares}\n")
    except OSError:
        pass  # not allowed here: the stack is only slower on a busy machine


def _wait_for_engine(engine: Engine, timeout: float = 90) -> Engine:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if docker_answers(timeout=5):
            return engine
        if not running(engine.pids, ENGINE_PROCESS):
            raise DevError(f"dockerd exited during start-up; see {engine.state / 'logs'}")
        time.sleep(0.5)
    raise DevError(f"the Docker engine did not answer within {timeout:.0f}s")


def compose_command() -> list[str]:
    """``docker compose`` if the v2 plugin is installed, else our cached v2 binary."""
    plugin = subprocess.run(
        ["docker", "compose", "version", "--short"], capture_output=True, text=True, check=False
    )
    if plugin.returncode == 0 and plugin.stdout.strip().startswith("2."):
        return ["docker", "compose"]
    binary = CACHE / f"compose-{COMPOSE_VERSION}" / "docker-compose"
    if not binary.exists():
        go = shutil.which("go") or "/usr/local/go/bin/go"
        if not Path(go).exists():
            raise DevError("docker compose v2 is missing and go is not installed to build it")
        build = binary.parent
        build.mkdir(parents=True, exist_ok=True)
        run(
            [go, "install", f"github.com/docker/compose/v2/cmd@{COMPOSE_VERSION}"],
            what=f"building docker compose {COMPOSE_VERSION} with go install (a few minutes; "
            "retry when the Go module proxy is reachable)",
            env={"GOBIN": str(build), "CGO_ENABLED": "0"},
            timeout=1800,
        )
        (build / "cmd").rename(binary)
    return [str(binary)]
