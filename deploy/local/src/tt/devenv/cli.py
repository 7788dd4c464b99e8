"""``./dev``: install, run and test the platform on this machine."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from tt.devenv.layout import REPO, Layout
from tt.devenv.platform import Platform
from tt.devenv.procs import DevError
from tt.devenv.services import SERVICES

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Run and test tt locally (no Docker needed)."
)

SERVICE_PACKAGES = ("common", *(s.name for s in SERVICES))

LINT_STEPS: list[tuple[str, list[str]]] = [
    ("ruff check", ["ruff", "check", "."]),
    ("ruff format", ["ruff", "format", "--check", "."]),
    # Strict on tt.common and every routes module (pyproject), checked on every service.
    ("mypy", ["mypy", *(f"--package=tt.{name}" for name in SERVICE_PACKAGES)]),
    ("import contracts", ["lint-imports"]),
    ("docs/events.md current", ["python", "-m", "tt.common.contracts.docs", "--check"]),
    ("OpenAPI document current", ["python", "-m", "tt.devenv.cli", "openapi", "--check"]),
    ("IngressRoute current", ["python", "-m", "tt.devenv.ingressroute", "--check"]),
    # Cited documents exist in the repository; no outside notes, issue numbers, machine paths.
    ("references stay in the repository", ["python", "-m", "tt.devenv.references"]),
]


def _fail(exc: DevError) -> NoReturn:
    typer.secho(f"./dev: {exc}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def _summary(desc: dict[str, object]) -> None:
    admin = desc.get("admin") or {}
    assert isinstance(admin, dict)
    services = desc.get("services") or {}
    assert isinstance(services, dict)
    ports = desc["ports"]
    assert isinstance(ports, dict)
    typer.echo(f"tt is up ({desc['profile']}) in {desc.get('started_in_seconds', '?')}s")
    typer.echo(
        f"  gateway        {desc['gateway_url']}   (API docs: {desc['gateway_url']}/api/docs)"
    )
    for name, urls in services.items():
        typer.echo(f"  {name:<14} {', '.join(urls)}")
    typer.echo(f"  postgres       127.0.0.1:{ports['postgres']}")
    typer.echo(f"  redis          127.0.0.1:{ports['redis']}")
    typer.echo(f"  kafka          127.0.0.1:{ports['kafka']}")
    typer.echo(f"  state and logs {desc['state']}")
    if admin.get("token"):
        typer.echo(f"  admin user     {admin.get('username')} / {admin.get('password')}")
        typer.echo(f"  admin token    {admin['token']}")


def _layout() -> Layout:
    """The platform the day-to-day commands act on: ``up``, or another profile by
    ``TT_DEV_PROFILE`` (with ``TT_PORT_BASE``/``TT_STATE_DIR``) for a second platform."""
    return Layout.for_profile(os.environ.get("TT_DEV_PROFILE", "up"))


@app.command()
def up(otel: Annotated[bool, typer.Option(help="Also run a trace backend")] = False) -> None:
    """Install what is missing and start the whole platform."""
    platform = Platform(_layout())
    try:
        endpoint = None
        if otel:
            from tt.devenv.otel import start_trace_backend

            endpoint = start_trace_backend(platform)
        desc = platform.up(otel_endpoint=endpoint)
    except DevError as exc:
        _fail(exc)
    _summary(desc)


@app.command()
def down() -> None:
    """Stop everything `up` started."""
    stopped = Platform(_layout()).down()
    typer.echo(f"stopped: {', '.join(stopped) if stopped else 'nothing was running'}")


@app.command()
def status() -> None:
    """Show every process of the platform and whether it is ready."""
    platform = Platform(_layout())
    rows = platform.status()
    for name, state, health in rows:
        typer.echo(f"{name:<24} {state:<22} {health}")
    if not all(state.startswith("running") for _, state, _ in rows):
        raise typer.Exit(1)


@app.command()
def logs(service: str, follow: Annotated[bool, typer.Option("--follow", "-f")] = False) -> None:
    """Print a process's log (`time` shows time.0 and its worker)."""
    layout = _layout()
    files = sorted(layout.logs.glob(f"{service}.log")) or sorted(
        layout.logs.glob(f"{service}*.log")
    )
    if not files:
        _fail(DevError(f"no log for {service!r} in {layout.logs}"))
    argv = ["tail", "-n", "200", *(["-F"] if follow else []), *map(str, files)]
    raise typer.Exit(subprocess.call(argv))


@app.command()
def restart(name: str) -> None:
    """Restart a service (after running its migrations) or the gateway."""
    try:
        Platform(_layout()).restart(name)
    except DevError as exc:
        _fail(exc)
    typer.echo(f"{name} restarted")


@app.command()
def scale(
    service: str,
    replicas: int,
    workers: Annotated[int | None, typer.Option(help="Consumer processes")] = None,
) -> None:
    """Run N replicas of a service's HTTP process behind the gateway (and N workers)."""
    try:
        Platform(_layout()).scale(service, replicas, workers)
    except DevError as exc:
        _fail(exc)
    typer.echo(
        f"{service}: {replicas} replica(s)"
        + (f", {workers} worker(s)" if workers is not None else "")
    )


@app.command()
def openapi(
    check: Annotated[bool, typer.Option(help="Fail if the committed one is stale")] = False,
) -> None:
    """Merge every service's OpenAPI document into the one auth serves at /api/docs."""
    from tt.devenv import openapi as merged

    if check:
        try:
            current = merged.is_current()
        except DevError as exc:
            _fail(exc)
        if not current:
            _fail(DevError(f"{merged.OUTPUT} is stale: run ./dev openapi and commit it"))
        typer.echo("OpenAPI document is current")
        return
    try:
        typer.echo(f"wrote {merged.write()}")
    except DevError as exc:
        _fail(exc)


@app.command()
def ingressroute() -> None:
    """Write deploy/k8s/gateway/ingressroute.yaml from the gateway's routers."""
    from tt.devenv import ingressroute as generated

    typer.echo(f"wrote {generated.write()}")


def run_lint() -> int:
    """Every lint step; returns the number that failed."""
    failed = 0
    for label, argv in LINT_STEPS:
        code = subprocess.call(argv, cwd=REPO)
        typer.echo(f"lint: {label}: {'ok' if code == 0 else 'FAILED'}")
        failed += code != 0
    return failed


@app.command()
def lint() -> None:
    """ruff, mypy (strict on tt.common) and the import contracts."""
    raise typer.Exit(1 if run_lint() else 0)


@app.command("test", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def run_tests(
    ctx: typer.Context,
    keep: Annotated[bool, typer.Option(help="Leave the test platform running")] = False,
    no_lint: Annotated[bool, typer.Option("--no-lint")] = False,
    at: Annotated[
        str | None,
        typer.Option(
            help="Run the platform and the tests on a clock that reads this past UTC time now "
            "(e.g. '2026-11-30 23:58:00'), to find tests that depend on the date or the hour"
        ),
    ] = None,
    fast: Annotated[
        bool,
        typer.Option(
            "--fast",
            help="Only the fast tier (tests/fast): rules, use cases and repositories on "
            "PostgreSQL alone, in seconds; no platform, no lint",
        ),
    ] = False,
) -> None:
    """Lint, start a throw-away platform on test ports, run pytest, stop it."""
    started = time.monotonic()
    if at is not None:
        from tt.devenv.clock import shift_the_clock

        try:
            typer.echo(f"./dev test: the clock reads {shift_the_clock(at):%Y-%m-%d %H:%M:%S} UTC")
        except DevError as exc:
            _fail(exc)
    if fast:
        raise typer.Exit(run_fast_tier(ctx.args, started))
    lint_failed = 0 if no_lint else run_lint()
    layout = Layout.for_profile("test")
    platform = Platform(layout)
    platform.down()
    if layout.state.exists():
        shutil.rmtree(layout.state, ignore_errors=True)
    code = 1
    try:
        try:
            # With the trace backend, so the trace tests see every process's spans.
            from tt.devenv.install import ensure_kustomize
            from tt.devenv.otel import start_trace_backend

            # Built before the tests, not inside one: the deploy tests render deploy/k8s.
            ensure_kustomize()
            desc = platform.up(otel_endpoint=start_trace_backend(platform))
        except DevError as exc:
            _fail(exc)
        typer.echo(
            f"test platform up in {desc.get('started_in_seconds')}s (gateway {desc['gateway_url']})"
        )
        env = {**os.environ, "TT_PLATFORM_FILE": str(layout.platform_file)}
        code = subprocess.call([sys.executable, "-m", "pytest", *ctx.args], cwd=REPO, env=env)
    finally:
        if not keep:
            platform.down()
            if code != 0:
                _keep_logs(layout.logs)
            shutil.rmtree(layout.state, ignore_errors=True)
    typer.echo(
        f"./dev test: pytest exit {code}, lint failures {lint_failed}, "
        f"{time.monotonic() - started:.0f}s"
    )
    raise typer.Exit(code or (1 if lint_failed else 0))


FAST_TIER = "tests/fast"


def run_fast_tier(pytest_args: list[str], started: float) -> int:
    """pytest on the fast tier (or the part of it the arguments name); its conftest starts
    PostgreSQL alone (tt.devenv.scratch) and stops it again."""
    names_a_part = any(arg.rstrip("/").startswith(FAST_TIER) for arg in pytest_args)
    argv = pytest_args if names_a_part else [FAST_TIER, *pytest_args]
    # Its own PostgreSQL, even when the shell names a running platform.
    env = {k: v for k, v in os.environ.items() if k != "TT_PLATFORM_FILE"}
    code = subprocess.call([sys.executable, "-m", "pytest", *argv], cwd=REPO, env=env)
    typer.echo(f"./dev test --fast: pytest exit {code}, {time.monotonic() - started:.0f}s")
    return code


def _keep_logs(logs: Path) -> None:
    target = REPO / "test-artifacts" / "logs"
    shutil.rmtree(target, ignore_errors=True)
    if logs.exists():
        shutil.copytree(logs, target)
        typer.echo(f"service logs kept in {target}")


@app.command()
def reindex(service: str) -> None:
    """Rebuild a service's read model from the compacted topics: `python -m
    tt.<service>.worker --reindex`, for services that have a `tt.<service>.reindex` module."""
    import importlib.util

    from tt.devenv.procs import run
    from tt.devenv.services import BY_NAME, service_env

    platform = Platform(_layout())
    if service not in BY_NAME or importlib.util.find_spec(f"tt.{service}.reindex") is None:
        _fail(DevError(f"{service!r} has no index to rebuild (no tt.{service}.reindex module)"))
    try:
        result = run(
            [sys.executable, "-m", f"tt.{service}.worker", "--reindex"],
            what=f"reindexing {service}",
            env=service_env(platform.layout, BY_NAME[service], platform.secrets()),
            cwd=REPO,
            timeout=3600,
        )
    except DevError as exc:
        _fail(exc)
    typer.echo(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "done")


# Benchmarks that `./dev bench all` leaves out: they need something outside the repository.
BENCH_NOT_IN_ALL = frozenset({"compare"})


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def bench(ctx: typer.Context, name: Annotated[str, typer.Argument()] = "all") -> None:
    """Run bench/<name>.py (or all) against the running `up` platform. `memory`: PSS per
    process group; `compare --harness DIR`: tt beside TimeTracker through the team's load
    harness (DIR, or TT_BASELINE_DIR; `./dev bench compare --help`)."""
    scripts = (
        [p for p in sorted((REPO / "bench").glob("*.py")) if p.stem not in BENCH_NOT_IN_ALL]
        if name == "all"
        else [REPO / "bench" / f"{name}.py"]
    )
    if not scripts[0].exists():
        _fail(DevError(f"no benchmark {name!r} (bench/{name}.py)"))
    layout = _layout()
    env = {**os.environ, "TT_PLATFORM_FILE": str(layout.platform_file)}
    code = 0
    for script in scripts:
        if script.name.startswith("_"):
            continue
        typer.echo(f"== {script.name}")
        code |= subprocess.call([sys.executable, str(script), *ctx.args], cwd=REPO, env=env)
    raise typer.Exit(code)


@app.command(
    add_help_option=False,
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def drill(ctx: typer.Context) -> None:
    """Fault drill: steady load, each fault in turn, a consistency check, one row of
    figures per fault (bench/drill; `./dev drill --help` for its options)."""
    env = {**os.environ, "TT_PLATFORM_FILE": str(_layout().platform_file)}
    script = REPO / "bench" / "drill"
    raise typer.Exit(subprocess.call([sys.executable, str(script), *ctx.args], cwd=REPO, env=env))


@app.command()
def outbox(
    service: Annotated[str | None, typer.Argument(help="One service (default: every one)")] = None,
    retry: Annotated[int | None, typer.Option("--retry", help="Re-queue this parked row")] = None,
) -> None:
    """List the outbox rows parked after failing to publish; `--retry ID` re-queues one."""
    import asyncio

    from tt.devenv.outbox import retry_parked, show_parked

    desc = Platform(_layout()).describe()
    postgres = desc.get("postgres")
    if not isinstance(postgres, dict) or not postgres.get("dsn"):
        _fail(DevError("the platform is not running (no database addresses)"))
    dsns: dict[str, str] = dict(postgres["dsn"])  # type: ignore[index]
    if service is not None:
        if service not in dsns:
            _fail(DevError(f"unknown service {service!r} (one of {', '.join(dsns)})"))
        dsns = {service: dsns[service]}
    try:
        if retry is not None:
            if len(dsns) != 1:
                _fail(DevError("--retry needs the service: ./dev outbox <service> --retry ID"))
            name, dsn = next(iter(dsns.items()))
            new_id = asyncio.run(retry_parked(name, dsn, retry))
            typer.echo(f"{name}: parked row {retry} re-queued as outbox row {new_id}")
            return
        asyncio.run(show_parked(dsns, typer.echo))
    except DevError as exc:
        _fail(exc)


@app.command("compose", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def compose_cmd(ctx: typer.Context) -> None:
    """docker compose on docker-compose.yml (`up` builds local stand-in images first when
    no registry is reachable, and waits for health; `down`, `ps`, `logs` ... pass through)."""
    from tt.devenv.compose import compose, default_stack, image_env, up
    from tt.devenv.docker_engine import compose_command, ensure_engine
    from tt.devenv.layout import STATE_ROOT

    args = list(ctx.args) or ["ps"]
    stack = default_stack()
    try:
        ensure_engine(STATE_ROOT / "docker", typer.echo)
        command = compose_command()
        if args[0] == "up":
            desc = up(command, stack, image_env(typer.echo), typer.echo)
            admin = desc["admin"]
            assert isinstance(admin, dict)
            typer.echo(f"  admin user     {admin['username']} / {admin['password']}")
            typer.echo(f"  admin token    {admin['token']}")
            return
        images = image_env(lambda _: None) if args[0] in ("build", "run") else {}
        code = compose(command, stack, images, *args, check=False).returncode
    except DevError as exc:
        _fail(exc)
    raise typer.Exit(code)


@app.command(
    "test-compose", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
)
def test_compose(ctx: typer.Context) -> None:
    """The compose stack on a local Docker engine (started and stopped if needed): smoke
    tests through its gateway, then the testcontainers mode of the fixtures."""
    from tt.devenv.compose_check import run_compose_checks

    try:
        code = run_compose_checks(list(ctx.args), typer.echo)
    except DevError as exc:
        _fail(exc)
    raise typer.Exit(code)


@app.command()
def traces(
    trace_id: Annotated[str | None, typer.Argument(help="Show this trace as a tree")] = None,
    last: Annotated[int, typer.Option(help="How many recent traces to list")] = 20,
) -> None:
    """The traces recorded by the trace backend (`./dev up --otel`): recent ones, or one."""
    from tt.devenv.otel import read_spans, render_trace, traces_dir

    folder = traces_dir(_layout().state)
    spans = read_spans(folder, trace_id)
    if trace_id:
        if not spans:
            _fail(DevError(f"no spans of trace {trace_id} in {folder}"))
        typer.echo("\n".join(render_trace(spans)))
        return
    by_trace: dict[str, list] = {}  # type: ignore[type-arg]
    for span in spans:
        by_trace.setdefault(span.trace_id, []).append(span)
    recent = sorted(by_trace.values(), key=lambda ss: min(s.start_ns for s in ss))[-last:]
    for group in recent:
        root = min(group, key=lambda s: s.start_ns)
        services = sorted({s.service for s in group})
        typer.echo(
            f"{root.trace_id}  {len(group):>3} spans  {root.name[:40]:<40} {', '.join(services)}"
        )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
