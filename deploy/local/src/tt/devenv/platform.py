"""The whole local platform: infrastructure, databases, migrations, topics, services,
workers and the gateway, started in order and described in ``platform.json``."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import secrets as random_secrets
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from tt.common.identity import generate_keypair
from tt.common.kafka import ensure_topics
from tt.common.topics import load_catalogue
from tt.devenv import infra
from tt.devenv.install import Tools, ensure_all
from tt.devenv.layout import REPO, Layout
from tt.devenv.procs import DevError, port_free, read_pid, run, running, spawn, stop
from tt.devenv.services import BY_NAME, SERVICES, ServiceSpec, service_env

INFRA = ("postgres", "redis", "kafka")
ADMIN_USERNAME = "admin"


def _now() -> float:
    return time.monotonic()


class Platform:
    """One local platform instance (profile ``up`` or ``test``)."""

    def __init__(self, layout: Layout, *, say: Callable[[str], None] = print) -> None:
        self.layout = layout
        self.say = say
        self._tools: Tools | None = None

    # ------------------------------------------------------------ description

    @classmethod
    def from_file(cls, path: str | Path) -> Platform:
        doc = json.loads(Path(path).read_text())
        layout = Layout(
            profile=doc["profile"], base=doc["base"], state=Path(doc["state"]), ports=doc["ports"]
        )
        return cls(layout)

    def describe(self) -> dict[str, Any]:
        if self.layout.platform_file.exists():
            return dict(json.loads(self.layout.platform_file.read_text()))
        return {}

    @property
    def tools(self) -> Tools:
        if self._tools is None:
            self._tools = ensure_all()
        return self._tools

    def secrets(self) -> dict[str, str]:
        path = self.layout.state / "secrets.json"
        if path.exists():
            return dict(json.loads(path.read_text()))
        private, public = generate_keypair()
        values = {
            "pg_superuser_password": random_secrets.token_urlsafe(18),
            "db_password": random_secrets.token_urlsafe(18),
            "identity_private_key": private,
            "identity_public_key": public,
            "session_secret": random_secrets.token_urlsafe(32),
            "admin_password": random_secrets.token_urlsafe(12),
        }
        self.layout.state.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2))
        path.chmod(0o600)
        return values

    def context(self) -> infra.Context:
        return infra.Context(self.layout, self.tools, self.secrets())

    def replicas(self) -> dict[str, int]:
        return dict(self.describe().get("replicas") or {s.name: 1 for s in SERVICES})

    def workers(self) -> dict[str, int]:
        return dict(self.describe().get("workers") or {s.name: 1 for s in SERVICES if s.has_worker})

    def otel_endpoint(self) -> str | None:
        value = self.describe().get("otel_endpoint")
        return str(value) if value else None

    # ------------------------------------------------------------ processes

    def processes(self) -> list[str]:
        """Every process name of the platform, in start order."""
        names = list(INFRA)
        for spec in SERVICES:
            names += [f"{spec.name}.{i}" for i in range(self.replicas().get(spec.name, 1))]
            names += [f"{spec.name}-worker.{i}" for i in range(self.workers().get(spec.name, 0))]
        return [*names, "gateway"]

    def is_running(self) -> bool:
        return all(running(self.layout.pids, n) for n in self.processes())

    def _ports_of(self, name: str) -> dict[str, int]:
        ports = self.layout.ports
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
                name: self.layout.port(service, int(replica)),
                f"{name} internal": self.layout.internal_port(service, int(replica)),
            }
        if service.removesuffix("-worker") in BY_NAME:
            port = self.layout.worker_metrics_port(service.removesuffix("-worker"), int(replica))
            return {f"{name} metrics": port}
        return {}

    def _check_ports(self, names: list[str]) -> None:
        busy = [
            f"{label} ({port})"
            for name in names
            if not running(self.layout.pids, name)
            for label, port in self._ports_of(name).items()
            if not port_free(port)
        ]
        if busy:
            raise DevError(
                "ports already in use by another program: "
                + ", ".join(busy)
                + "; stop it, or pick other ports with TT_PORT_BASE=<n>"
            )

    # ------------------------------------------------------------ up / down

    def up(
        self, *, otel_endpoint: str | None = None, replicas: dict[str, int] | None = None
    ) -> dict[str, Any]:
        """Start whatever is not running yet; returns the platform description."""
        started_at = _now()
        if self.is_running() and not replicas and otel_endpoint == self.otel_endpoint():
            self.say(f"tt is already running ({self.layout.profile}); nothing to do")
            return self.describe()
        self.layout.state.mkdir(parents=True, exist_ok=True)
        desc = self.describe()
        desc["replicas"] = {**self.replicas(), **(replicas or {})}
        desc["workers"] = self.workers()
        desc["otel_endpoint"] = otel_endpoint
        self._write(desc)
        self._check_ports(self.processes())
        ctx = self.context()
        started: list[str] = []
        try:
            self._start_infra(ctx, started)
            self._provision(ctx)
            self._start_services(ctx, started)
            self.restart_gateway(ctx)
            started.append("gateway")
            self._wait_ready()
            self._wait_gateway_pools()
            desc = self._bootstrap(ctx, desc)
        except BaseException:
            self.say("start-up failed; stopping what this run started")
            for name in reversed(started):
                self.stop_process(name)
            raise
        desc.update(self._urls(ctx))
        desc["started_in_seconds"] = round(_now() - started_at, 1)
        self._write(desc)
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

    def _write(self, desc: dict[str, Any]) -> None:
        desc.update(
            {
                "profile": self.layout.profile,
                "base": self.layout.base,
                "state": str(self.layout.state),
                "ports": self.layout.ports,
            }
        )
        tmp = self.layout.platform_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(desc, indent=2))
        tmp.replace(self.layout.platform_file)

    # ------------------------------------------------------------ steps

    def _start_infra(self, ctx: infra.Context, started: list[str]) -> None:
        starters = {
            "postgres": infra.start_postgres,
            "redis": infra.start_redis,
            "kafka": infra.start_kafka,
        }
        todo = [n for n in INFRA if not running(self.layout.pids, n)]
        if not todo:
            return
        t0 = _now()
        with ThreadPoolExecutor(len(todo)) as pool:
            futures = {n: pool.submit(starters[n], ctx) for n in todo}
            errors = []
            for name, fut in futures.items():
                try:
                    fut.result()
                    started.append(name)
                except DevError as exc:
                    errors.append(str(exc))
            if errors:
                raise DevError("; ".join(errors))
        self.say(f"  infrastructure up: {', '.join(todo)} ({_now() - t0:.1f}s)")

    def start_infra(self, name: str) -> None:
        """Start one infrastructure server (fault tests restart them)."""
        starters = {
            "postgres": infra.start_postgres,
            "redis": infra.start_redis,
            "kafka": infra.start_kafka,
        }
        if not running(self.layout.pids, name):
            starters[name](self.context())

    def _provision(self, ctx: infra.Context) -> None:
        t0 = _now()
        asyncio.run(self._create_databases(ctx))
        with ThreadPoolExecutor(len(SERVICES) + 1) as pool:
            topics = pool.submit(self._create_topics)
            migrations = [pool.submit(self._migrate, ctx, spec) for spec in SERVICES]
            for fut in [*migrations, topics]:
                fut.result()
        self.say(f"  databases, migrations and topics ready ({_now() - t0:.1f}s)")

    async def _create_databases(self, ctx: infra.Context) -> None:
        conn = await self._superuser(ctx)
        try:
            password = ctx.secrets["db_password"]
            if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = 'tt'"):
                await conn.execute(f"CREATE ROLE tt LOGIN PASSWORD '{password}'")
            for spec in SERVICES:
                exists = await conn.fetchval(
                    "SELECT 1 FROM pg_database WHERE datname = $1", spec.database
                )
                if not exists:
                    await conn.execute(f'CREATE DATABASE "{spec.database}" OWNER tt')
        finally:
            await conn.close()

    async def _superuser(self, ctx: infra.Context, database: str = "postgres") -> Any:
        deadline = _now() + 30
        while True:
            try:
                return await asyncpg.connect(
                    host="127.0.0.1",
                    port=self.layout.ports["postgres"],
                    user="postgres",
                    password=ctx.secrets["pg_superuser_password"],
                    database=database,
                )
            except (OSError, asyncpg.CannotConnectNowError):
                if _now() > deadline:
                    raise
                await asyncio.sleep(0.2)

    def _migrate(self, ctx: infra.Context, spec: ServiceSpec) -> None:
        env = service_env(self.layout, spec, ctx.secrets)
        run(
            [
                sys.executable,
                "-m",
                "alembic",
                "-c",
                str(REPO / "services" / spec.name / "alembic.ini"),
                "upgrade",
                "head",
            ],
            what=f"{spec.name} migrations",
            env=env,
            cwd=REPO,
            timeout=300,
        )

    def _create_topics(self) -> None:
        catalogue = load_catalogue(str(REPO / "deploy" / "kafka" / "topics.yaml"))
        deadline = _now() + 60
        while True:
            try:
                asyncio.run(ensure_topics(self.layout.kafka_bootstrap, catalogue.all_specs()))
                return
            except Exception as exc:
                if _now() > deadline:
                    raise DevError(f"creating Kafka topics failed: {exc}") from exc
                time.sleep(0.5)

    def _start_services(self, ctx: infra.Context, started: list[str]) -> None:
        for spec in SERVICES:
            for replica in range(self.replicas().get(spec.name, 1)):
                name = f"{spec.name}.{replica}"
                if self.start_service(spec.name, replica):
                    started.append(name)
            for replica in range(self.workers().get(spec.name, 0)):
                name = f"{spec.name}-worker.{replica}"
                if self.start_worker(spec.name, replica):
                    started.append(name)

    def start_service(self, service: str, replica: int = 0) -> bool:
        name = f"{service}.{replica}"
        if running(self.layout.pids, name):
            return False
        ctx = self.context()
        spec = BY_NAME[service]
        port = self.layout.port(service, replica)
        argv = [
            sys.executable,
            "-m",
            "tt.common.serve",
            f"tt.{service}.main:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--internal-port",
            str(self.layout.internal_port(service, replica)),
            "--log-level",
            "warning",
        ]
        spawn(
            name,
            argv,
            pids=self.layout.pids,
            logs=self.layout.logs,
            cwd=REPO,
            env=service_env(self.layout, spec, ctx.secrets, self.otel_endpoint()),
        )
        return True

    def start_worker(self, service: str, replica: int = 0) -> bool:
        name = f"{service}-worker.{replica}"
        if running(self.layout.pids, name):
            return False
        ctx = self.context()
        spawn(
            name,
            [sys.executable, "-m", f"tt.{service}.worker"],
            pids=self.layout.pids,
            logs=self.layout.logs,
            cwd=REPO,
            env={
                **service_env(self.layout, BY_NAME[service], ctx.secrets, self.otel_endpoint()),
                "TT_METRICS_PORT": str(self.layout.worker_metrics_port(service, replica)),
            },
        )
        return True

    def restart(self, name: str) -> None:
        """Restart one service (migrations, API replicas, workers) or the gateway."""
        if name == "gateway":
            self.restart_gateway()
            self._wait_gateway_pools()
            return
        if name not in BY_NAME:
            raise DevError(f"unknown service {name!r}; one of gateway, {', '.join(BY_NAME)}")
        ctx = self.context()
        self._migrate(ctx, BY_NAME[name])
        for i in range(self.replicas().get(name, 1)):
            self.stop_process(f"{name}.{i}")
            self.start_service(name, i)
        for i in range(self.workers().get(name, 0)):
            self.stop_process(f"{name}-worker.{i}")
            self.start_worker(name, i)
        self._wait_ready()
        self._wait_gateway_pools()
        self._write(self._bootstrap(ctx, self.describe()))

    def stop_process(self, name: str) -> bool:
        if name == "postgres":
            return infra.stop_postgres(self.layout)
        return stop(self.layout.pids, name, timeout=20 if name == "kafka" else 10)

    def gateway_env(self) -> dict[str, str]:
        # The pools gateway/dynamic/services.yml declares, one per service.
        env = {"TT_GW_SERVICES": ",".join(spec.name for spec in SERVICES)}
        for spec in SERVICES:
            urls = [
                f"http://127.0.0.1:{self.layout.port(spec.name, i)}"
                for i in range(self.replicas().get(spec.name, 1))
            ]
            env[f"TT_GW_{spec.name.upper()}_URLS"] = ",".join(urls)
        # verify answers on auth's internal ports only.
        env["TT_GW_AUTH_INTERNAL_URLS"] = ",".join(
            f"http://127.0.0.1:{self.layout.internal_port('auth', i)}"
            for i in range(self.replicas().get("auth", 1))
        )
        # One auth replica: call it directly; several: through the internal entry point,
        # which load-balances verify across them.
        env["TT_GW_VERIFY_URL"] = (
            f"{env['TT_GW_AUTH_INTERNAL_URLS']}/internal/verify"
            if self.replicas().get("auth", 1) == 1
            else f"http://127.0.0.1:{self.layout.ports['gateway-verify']}/internal/verify"
        )
        return env

    def restart_gateway(self, ctx: infra.Context | None = None) -> None:
        stop(self.layout.pids, "gateway")
        infra.start_traefik(ctx or self.context(), self.gateway_env(), self.otel_endpoint())

    def _wait_ready(self, timeout: float = 90) -> None:
        deadline = _now() + timeout
        pending = {
            f"{s.name}.{i}": f"http://127.0.0.1:{self.layout.port(s.name, i)}/readyz"
            for s in SERVICES
            for i in range(self.replicas().get(s.name, 1))
        }
        pending["gateway"] = f"http://127.0.0.1:{self.layout.ports['gateway-admin']}/ping"
        last: dict[str, str] = {}
        with httpx.Client(timeout=3) as client:
            while pending and _now() < deadline:
                for name, url in list(pending.items()):
                    if not running(self.layout.pids, name):
                        raise DevError(
                            f"{name} exited during start-up; see "
                            f"{self.layout.logs / (name + '.log')}"
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

    def _wait_gateway_pools(self, timeout: float = 30) -> None:
        """Until Traefik's health checks see every replica up (a replica that was still
        starting when Traefik first probed it stays out of its pool until the next probe)."""
        url = f"http://127.0.0.1:{self.layout.ports['gateway-admin']}/api/http/services"
        deadline = _now() + timeout
        down: list[str] = []
        with httpx.Client(timeout=3) as client:
            while _now() < deadline:
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

    def _bootstrap(self, ctx: infra.Context, desc: dict[str, Any]) -> dict[str, Any]:
        """Create the admin user and token through auth's own bootstrap command."""
        if importlib.util.find_spec("tt.auth.bootstrap") is None:
            return desc
        admin = desc.get("admin") or {}
        if admin.get("token"):
            return desc
        result = run(
            [
                sys.executable,
                "-m",
                "tt.auth.bootstrap",
                "--username",
                ADMIN_USERNAME,
                # One argument: a random password may start with "-", which argparse
                # would take for an option.
                f"--password={ctx.secrets['admin_password']}",
            ],
            what="creating the admin user and token",
            cwd=REPO,
            env=service_env(self.layout, BY_NAME["auth"], ctx.secrets),
        )
        desc["admin"] = json.loads(result.stdout.strip().splitlines()[-1])
        return desc

    def _urls(self, ctx: infra.Context) -> dict[str, Any]:
        layout = self.layout
        return {
            "gateway_url": layout.gateway_url,
            "kafka_bootstrap": layout.kafka_bootstrap,
            "redis_url": layout.redis_url,
            "postgres": {
                "host": "127.0.0.1",
                "port": layout.ports["postgres"],
                "dsn": {
                    s.name: f"postgresql://tt:{ctx.secrets['db_password']}@127.0.0.1:"
                    f"{layout.ports['postgres']}/{s.database}"
                    for s in SERVICES
                },
            },
            "services": {
                s.name: [
                    f"http://127.0.0.1:{layout.port(s.name, i)}"
                    for i in range(self.replicas().get(s.name, 1))
                ]
                for s in SERVICES
            },
            # Verify, /metrics, /docs and /openapi.json answer on these only.
            "internal": {
                s.name: [
                    f"http://127.0.0.1:{layout.internal_port(s.name, i)}"
                    for i in range(self.replicas().get(s.name, 1))
                ]
                for s in SERVICES
            },
            "worker_metrics": {
                s.name: [
                    f"http://127.0.0.1:{layout.worker_metrics_port(s.name, i)}"
                    for i in range(self.workers().get(s.name, 0))
                ]
                for s in SERVICES
            },
            "secrets_file": str(layout.state / "secrets.json"),
            "logs": str(layout.logs),
        }

    # ------------------------------------------------------------ status

    def status(self) -> list[tuple[str, str, str]]:
        rows = []
        with httpx.Client(timeout=2) as client:
            for name in self.processes():
                pid = read_pid(self.layout.pids, name)
                if not running(self.layout.pids, name):
                    rows.append((name, "stopped", ""))
                    continue
                service, _, replica = name.partition(".")
                health = ""
                if service in BY_NAME:
                    url = f"http://127.0.0.1:{self.layout.port(service, int(replica))}/readyz"
                    try:
                        r = client.get(url)
                        health = "ready" if r.status_code == 200 else f"not ready: {r.text}"
                    except httpx.HTTPError as exc:
                        health = f"no answer: {exc}"
                rows.append((name, f"running (pid {pid})", health))
        return rows

    def scale(self, service: str, replicas: int, workers: int | None = None) -> None:
        """Run ``replicas`` API processes (and ``workers`` consumers) of one service."""
        if service not in BY_NAME:
            raise DevError(f"unknown service {service!r}; one of {', '.join(BY_NAME)}")
        desc = self.describe()
        current = self.replicas().get(service, 1)
        for i in range(replicas, current):
            self.stop_process(f"{service}.{i}")
        desc.setdefault("replicas", self.replicas())[service] = replicas
        if workers is not None:
            for i in range(workers, self.workers().get(service, 0)):
                self.stop_process(f"{service}-worker.{i}")
            desc.setdefault("workers", self.workers())[service] = workers
        self._write(desc)
        for i in range(replicas):
            self.start_service(service, i)
        for i in range(workers or 0):
            self.start_worker(service, i)
        self.restart_gateway()
        self._wait_ready()
        self._wait_gateway_pools()
        desc = self.describe()
        desc.update(self._urls(self.context()))
        self._write(desc)
