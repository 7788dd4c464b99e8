"""Background processes tracked by pid files (never found by name)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path


class DevError(RuntimeError):
    """A failure with one line that says what failed and how to retry."""


def pid_file(pids: Path, name: str) -> Path:
    return pids / f"{name}.pid"


def read_pid(pids: Path, name: str) -> int | None:
    path = pid_file(pids, name)
    try:
        return int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped) is not alive for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def running(pids: Path, name: str) -> bool:
    return alive(read_pid(pids, name))


def spawn(
    name: str,
    argv: Sequence[str],
    *,
    pids: Path,
    logs: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    user: str | None = None,
) -> int:
    """Start ``argv`` in its own process group, output to ``logs/<name>.log``; returns its pid."""
    pids.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    log = (logs / f"{name}.log").open("ab")
    try:
        proc = subprocess.Popen(
            list(argv),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            start_new_session=True,
            user=user,
            group=user,
            extra_groups=[] if user else None,
        )
    except FileNotFoundError as exc:
        raise DevError(f"cannot start {name}: {argv[0]} not found") from exc
    finally:
        log.close()
    pid_file(pids, name).write_text(f"{proc.pid}\n")
    return proc.pid


def stop(pids: Path, name: str, *, sig: int = signal.SIGTERM, timeout: float = 15.0) -> bool:
    """Stop the process group recorded for ``name``; True if something was running."""
    pid = read_pid(pids, name)
    path = pid_file(pids, name)
    if not alive(pid):
        path.unlink(missing_ok=True)
        return False
    assert pid is not None
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.05)
    if alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        time.sleep(0.2)
    _reap(pid)
    path.unlink(missing_ok=True)
    return True


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.2) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        return sock.connect_ex((host, port)) == 0


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def wait_for_port(name: str, port: int, *, pids: Path, logs: Path, timeout: float = 60.0) -> None:
    """Wait until ``port`` accepts connections, failing fast if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port):
            return
        if not running(pids, name):
            raise DevError(f"{name} exited during start-up; see {logs / (name + '.log')}")
        time.sleep(0.1)
    raise DevError(
        f"{name} did not open port {port} within {timeout:.0f}s; see {logs / (name + '.log')}"
    )


def run(
    argv: Sequence[str],
    *,
    what: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    user: str | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion; a failure becomes a one-line DevError."""
    try:
        result = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            timeout=timeout,
            check=False,
            user=user,
            group=user,
            extra_groups=[] if user else None,
        )
    except FileNotFoundError as exc:
        raise DevError(f"{what} failed: {argv[0]} not found") from exc
    except subprocess.TimeoutExpired as exc:
        raise DevError(f"{what} timed out after {timeout:.0f}s") from exc
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise DevError(f"{what} failed (exit {result.returncode}): {' | '.join(tail)}")
    return result
