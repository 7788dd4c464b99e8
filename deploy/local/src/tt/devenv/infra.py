"""The infrastructure servers of a local platform: PostgreSQL, Redis, Kafka (KRaft) and
Traefik, each started on loopback with its state under the platform's folder."""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path

from tt.devenv.clock import postgres_clock
from tt.devenv.install import Tools
from tt.devenv.layout import REPO, Layout
from tt.devenv.procs import run, spawn, stop, wait_for_port


@dataclass(frozen=True)
class Context:
    layout: Layout
    tools: Tools
    secrets: dict[str, str]


# ---------------------------------------------------------------- PostgreSQL


def _postgres_user() -> str | None:
    """PostgreSQL refuses to run as root; as root we run it as the ``postgres`` user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"],
            what="creating the postgres system user",
        )
    return "postgres"


def _traversable_by_others(path: Path) -> bool:
    return all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents] if p.exists())


def postgres_dir(layout: Layout) -> Path:
    """``<state>/postgres``; a link to /var/tmp when the postgres user cannot reach the state
    folder (a checkout under a private home directory)."""
    link = layout.state / "postgres"
    if link.exists() or link.is_symlink():
        return link.resolve()
    layout.state.mkdir(parents=True, exist_ok=True)
    if _postgres_user() and not _traversable_by_others(layout.state):
        digest = hashlib.sha256(str(layout.state).encode()).hexdigest()[:12]
        target = Path("/var/tmp") / f"tt-postgres-{digest}"
        target.mkdir(mode=0o755, parents=True, exist_ok=True)
        link.symlink_to(target)
        return target
    link.mkdir(parents=True, exist_ok=True)
    return link


# Sized for a small machine that runs the whole platform (everything within 1.5 GB of
# PSS). Touched shared buffers count in the platform's memory (they were most of
# PostgreSQL's share after a 100k-entry import), while the kernel's page cache behind them
# does not; 128MB, PostgreSQL's default, holds the hot pages of every service's database.
# An idle backend costs 1-6 MB: the pools (up to 20 per process) decide how
# many exist, max_connections only bounds them (the slots cost a few MB of shared memory).
# work_mem is per sort or hash node of a running query, maintenance_work_mem per index
# build (migrations) and autovacuum_work_mem per autovacuum worker.
POSTGRES_MEMORY = {
    "max_connections": "300",
    "shared_buffers": "128MB",
    "work_mem": "8MB",
    "maintenance_work_mem": "32MB",
    "autovacuum_work_mem": "16MB",
}


def start_postgres(ctx: Context) -> None:
    start_postgres_server(ctx.layout, ctx.tools.postgres_bin, ctx.secrets["pg_superuser_password"])


def start_postgres_server(layout: Layout, postgres_bin: Path, superuser_password: str) -> None:
    """PostgreSQL in ``layout``'s folder (initialised with ``superuser_password`` on first
    start) on its port; needs no other server, so the fast test tier starts it alone."""
    user = _postgres_user()
    root = postgres_dir(layout)
    data, sock = root / "data", root / "run"
    if user:
        shutil.chown(root, user, user)
    if not (data / "PG_VERSION").exists():
        data.mkdir(mode=0o700, parents=True, exist_ok=True)
        pwfile = root / "pwfile"
        pwfile.write_text(superuser_password + "\n")
        if user:
            for p in (data, pwfile):
                shutil.chown(p, user, user)
        try:
            run(
                [
                    str(postgres_bin / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    f"--pwfile={pwfile}",
                    "--auth=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--no-locale",
                ],
                what="initdb",
                user=user,
                timeout=120,
            )
        finally:
            pwfile.unlink(missing_ok=True)
    sock.mkdir(exist_ok=True)
    if user:
        shutil.chown(sock, user, user)
    port = layout.ports["postgres"]
    settings = {
        "listen_addresses": "127.0.0.1",
        **POSTGRES_MEMORY,
        "max_wal_size": "2GB",
        "log_min_messages": "warning",
        "log_min_duration_statement": "-1",
    }
    if layout.profile in ("test", "fast"):
        # A throw-away database: durability only costs time here.
        settings |= {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
    argv = [
        str(postgres_bin / "postgres"),
        "-D",
        str(data),
        "-p",
        str(port),
        "-k",
        str(sock),
    ]
    for key, value in settings.items():
        argv += ["-c", f"{key}={value}"]
    spawn("postgres", argv, pids=layout.pids, logs=layout.logs, user=user, env=postgres_clock())
    wait_for_port("postgres", port, pids=layout.pids, logs=layout.logs, timeout=60)


def stop_postgres(layout: Layout) -> bool:
    # SIGINT is PostgreSQL's "fast" shutdown: roll back sessions, checkpoint, exit.
    return stop(layout.pids, "postgres", sig=signal.SIGINT, timeout=30)


# ---------------------------------------------------------------- Redis


def start_redis(ctx: Context) -> None:
    layout = ctx.layout
    data = layout.state / "redis"
    data.mkdir(parents=True, exist_ok=True)
    persistence = (
        ["--appendonly", "yes", "--save", "60 100"]
        if layout.profile == "up"
        else ["--appendonly", "no", "--save", ""]
    )
    port = layout.ports["redis"]
    spawn(
        "redis",
        [
            str(ctx.tools.redis_server),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(data),
            "--protected-mode",
            "yes",
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
            *persistence,
        ],
        pids=layout.pids,
        logs=layout.logs,
    )
    wait_for_port("redis", port, pids=layout.pids, logs=layout.logs, timeout=20)


def stop_redis(layout: Layout) -> bool:
    return stop(layout.pids, "redis")


# ---------------------------------------------------------------- Kafka (KRaft)

# A small single-node broker. Measured: ~60 MB of live heap once the log
# cleaner's buffer is small (below), so 192 MB leaves room for the young generation and
# bursts (a 100k-event import, the consumers' batch fetches); without -Xmx the JVM takes a
# quarter of the machine's memory. Serial GC: one thread, no per-region overhead, and it
# returns heap above MaxHeapFreeRatio at a full collection. C1 only: less code cache and
# compiler memory. NIO keeps a direct buffer per thread as large as the largest socket
# write it did, unless capped.
KAFKA_JVM = [
    "-Xms32m",
    "-Xmx192m",
    "-XX:+UseSerialGC",
    "-XX:MinHeapFreeRatio=10",
    "-XX:MaxHeapFreeRatio=30",
    "-XX:MaxMetaspaceSize=128m",
    "-XX:TieredStopAtLevel=1",
    "-Djdk.nio.maxCachedBufferSize=262144",
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
    "-Djava.awt.headless=true",
]

# Broker settings for the same small node: the log cleaner's dedupe buffer is a heap array
# of this size (default 128 MB, most of the broker's heap; 16 MB holds ~600k keys per
# cleaning pass, and a pass that does not fit cleans in several); fewer threads than the
# defaults sized for a many-core server; a bound on queued requests; smaller segments and
# indexes (index files are memory-mapped per segment). The controller appends a no-op record
# to the metadata log whenever it has been idle this long (default 500 ms): on one node
# that marks nothing and was most of the idle broker's CPU.
KAFKA_SMALL_NODE = [
    "log.cleaner.dedupe.buffer.size=16777216",
    "num.network.threads=2",
    "num.io.threads=4",
    "background.threads=4",
    "queued.max.requests=100",
    "log.segment.bytes=134217728",
    "log.index.size.max.bytes=1048576",
    "metadata.max.idle.interval.ms=5000",
]


def _kafka_properties(layout: Layout, data: Path) -> str:
    port, ctl = layout.ports["kafka"], layout.ports["kafka-controller"]
    return "\n".join(
        [
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.bootstrap.servers=127.0.0.1:{ctl}",
            f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{ctl}",
            f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            f"log.dirs={data}",
            "num.partitions=3",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=false",
            "log.cleaner.backoff.ms=5000",
            *KAFKA_SMALL_NODE,
            "",
        ]
    )


def start_kafka(ctx: Context) -> None:
    layout = ctx.layout
    root = layout.state / "kafka"
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    props = root / "server.properties"
    props.write_text(_kafka_properties(layout, data))
    classpath = f"{ctx.tools.kafka_libs}/*"
    java = str(ctx.tools.java)
    if not (data / "meta.properties").exists():
        cluster_id = (
            run(
                [java, "-cp", classpath, "kafka.tools.StorageTool", "random-uuid"],
                what="kafka storage random-uuid",
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        run(
            [
                java,
                *KAFKA_JVM,
                "-cp",
                classpath,
                "kafka.tools.StorageTool",
                "format",
                "--standalone",
                "-t",
                cluster_id,
                "-c",
                str(props),
            ],
            what="kafka storage format",
        )
    spawn(
        "kafka",
        [java, *KAFKA_JVM, "-cp", classpath, "kafka.Kafka", str(props)],
        pids=layout.pids,
        logs=layout.logs,
    )
    wait_for_port("kafka", layout.ports["kafka"], pids=layout.pids, logs=layout.logs, timeout=90)


def stop_kafka(layout: Layout) -> bool:
    return stop(layout.pids, "kafka", timeout=30)


# ---------------------------------------------------------------- Traefik


def traefik_argv(ctx: Context, otel_endpoint: str | None = None) -> list[str]:
    layout = ctx.layout
    argv = [
        str(ctx.tools.traefik),
        f"--entryPoints.web.address=127.0.0.1:{layout.ports['gateway']}",
        "--entryPoints.web.transport.respondingTimeouts.idleTimeout=90s",
        # Headers like X_TT_Identity (aliases of names the gateway manages) never pass, and
        # encoded slashes, backslashes and NULs are refused, so the path verify judges is
        # the path Traefik routes.
        "--entryPoints.web.http.aliasHeadersStrategy=delete",
        "--entryPoints.web.http.encodedCharacters.allowEncodedSlash=false",
        "--entryPoints.web.http.encodedCharacters.allowEncodedBackSlash=false",
        "--entryPoints.web.http.encodedCharacters.allowEncodedNullCharacter=false",
        f"--entryPoints.traefik.address=127.0.0.1:{layout.ports['gateway-admin']}",
        f"--entryPoints.verify.address=127.0.0.1:{layout.ports['gateway-verify']}",
        # ForwardAuth's own call to verify comes from Traefik on loopback: keep the
        # X-Forwarded-Uri/Method it sets (untrusted sources have them stripped).
        "--entryPoints.verify.forwardedHeaders.trustedIPs=127.0.0.1/32,::1/128",
        f"--providers.file.directory={REPO / 'gateway' / 'dynamic'}",
        "--providers.file.watch=false",
        "--ping=true",
        "--ping.entryPoint=traefik",
        "--api=true",
        "--api.dashboard=true",
        # API and dashboard on the loopback-only "traefik" entry point (never the web one).
        "--api.insecure=true",
        "--log.level=WARN",
        "--log.format=json",
        "--accesslog=true",
        "--accesslog.format=json",
        f"--accesslog.filepath={layout.logs / 'gateway-access.log'}",
        "--accesslog.bufferingsize=100",
        "--global.checkNewVersion=false",
        "--global.sendAnonymousUsage=false",
    ]
    if otel_endpoint:
        argv += [
            "--tracing=true",
            "--tracing.serviceName=tt-gateway",
            f"--tracing.otlp.http.endpoint={otel_endpoint.rstrip('/')}/v1/traces",
        ]
    return argv


def start_traefik(ctx: Context, env: dict[str, str], otel_endpoint: str | None = None) -> None:
    layout = ctx.layout
    spawn("gateway", traefik_argv(ctx, otel_endpoint), pids=layout.pids, logs=layout.logs, env=env)
    wait_for_port(
        "gateway", layout.ports["gateway"], pids=layout.pids, logs=layout.logs, timeout=30
    )


def stop_traefik(layout: Layout) -> bool:
    return stop(layout.pids, "gateway")
