"""``./dev test-compose``: proves docker-compose.yml and the testcontainers mode of the
test fixtures on a local Docker engine, then leaves the machine as it found it.

1. a Docker engine (installed and started if missing; stopped again if started here);
2. the images: public ones, or local stand-ins when no registry answers;
3. the compose stack on its own project and ports, ``up --wait`` (health checks);
4. the end-to-end smoke tests and the trace test against the stack's gateway;
5. the infrastructure tests with ``TT_TEST_INFRA=containers`` (testcontainers);
6. ``down --volumes``, and the engine stopped if this run started it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable

from tt.devenv.compose import Stack, compose, image_env, test_stack, up
from tt.devenv.docker_engine import compose_command, ensure_engine
from tt.devenv.layout import REPO, STATE_ROOT
from tt.devenv.procs import DevError

SMOKE_TESTS = ("tests/deploy/test_smoke.py", "tests/e2e/test_traces.py")
CONTAINER_TESTS = ("tests/platform", "-m", "not fault")


def run_compose_checks(pytest_args: list[str], say: Callable[[str], None] = print) -> int:
    """Every step above; returns the exit code (0 when everything passed)."""
    started = time.monotonic()
    timings: list[tuple[str, float]] = []

    def step(label: str, since: float) -> float:
        now = time.monotonic()
        timings.append((label, now - since))
        return now

    engine = ensure_engine(STATE_ROOT / "docker", say)
    t = step("engine", started)
    stack = test_stack()
    code = 1
    command: list[str] = []
    images: dict[str, str] = {}
    try:
        command = compose_command()
        images = image_env(say)
        t = step("images", t)
        compose(command, stack, images, "down", "--volumes", "--remove-orphans", check=False)
        try:
            up(command, stack, images, say)
        except DevError:
            _keep_logs(command, stack, images)
            raise
        t = step("compose build + up --wait", t)
        env = {**os.environ, "TT_PLATFORM_FILE": str(stack.platform_file)}
        smoke = subprocess.call(
            [sys.executable, "-m", "pytest", *SMOKE_TESTS, *pytest_args], cwd=REPO, env=env
        )
        t = step("smoke tests on the compose stack", t)
        containers_env = {
            **os.environ,
            **images,
            "TT_TEST_INFRA": "containers",
            "TESTCONTAINERS_RYUK_DISABLED": "true",
        }
        containers_env.pop("TT_PLATFORM_FILE", None)
        contained = subprocess.call(
            [sys.executable, "-m", "pytest", *CONTAINER_TESTS, *pytest_args],
            cwd=REPO,
            env=containers_env,
        )
        t = step("testcontainers mode", t)
        code = 1 if smoke or contained else 0
        if code:
            _keep_logs(command, stack, images)
    finally:
        if command:
            compose(command, stack, images, "down", "--volumes", "--remove-orphans", check=False)
        if engine.stop_if_started_here():
            say("  stopped the Docker engine this run started")
        step("teardown", t)
    total = time.monotonic() - started
    for label, seconds in timings:
        say(f"  {label:<36} {seconds:6.0f}s")
    say(f"./dev test-compose: {'passed' if code == 0 else 'FAILED'} in {total:.0f}s")
    return code


def _keep_logs(command: list[str], stack: Stack, images: dict[str, str]) -> None:
    target = REPO / "test-artifacts" / "compose.log"
    target.parent.mkdir(parents=True, exist_ok=True)
    logs = compose(command, stack, images, "logs", "--no-color", check=False, capture=True)
    target.write_text(logs.stdout + logs.stderr)
    print(f"compose logs kept in {target}; the last lines:")
    print("\n".join(logs.stdout.splitlines()[-40:]))
