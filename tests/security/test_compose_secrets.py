"""Finding 16 (the compose part): the init job writes the admin's password and token to
the secrets volume only, never to its log; the compose Redis and Kafka refuse clients
without the passwords the secrets job generated, which the services are given
(TT_REDIS_PASSWORD, TT_KAFKA_SASL_PASSWORD).

The jobs are run here as the compose stack runs them (deploy/docker/init/tt_init.py),
with their folders in a temporary directory; Redis and Kafka are a real redis-server and
broker started with the configuration the job wrote and docker-compose.yml sets."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import redis
import yaml
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from tt.auth.bootstrap import parse_args as parse_bootstrap_args
from tt.common.kafka import client_options
from tt.common.resources import redis_client
from tt.common.settings import PlatformSettings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def init_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "tt_init_under_test", REPO / "deploy/docker/init/tt_init.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (tmp_path / "secrets").mkdir()
    (tmp_path / "redis").mkdir()
    monkeypatch.setenv("TT_SECRETS_DIR", str(tmp_path / "secrets"))
    monkeypatch.setenv("REDIS_CONFIG_DIR", str(tmp_path / "redis"))
    (tmp_path / "kafka").mkdir()
    monkeypatch.setenv("KAFKA_CONFIG_DIR", str(tmp_path / "kafka"))
    # provision exports the secrets into its environment: keep them out of this process's.
    monkeypatch.setattr(os, "environ", dict(os.environ))
    return module


def test_the_init_job_logs_where_the_admin_credentials_are_not_what_they_are(
    init_job: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    init_job.create_secrets()
    password = init_job.read_secret("TT_ADMIN_PASSWORD")
    token = "tt_" + "k" * 40
    created = {"username": "admin", "password": password, "token": token}

    async def nothing(*_: object) -> list[str]:
        return []

    # The databases, migrations and topics are the stack's; the output is the job's own.
    monkeypatch.setattr(init_job, "create_databases", nothing)
    monkeypatch.setattr(init_job, "migrate", lambda _service: None)
    monkeypatch.setattr(init_job, "create_topics", nothing)
    monkeypatch.setattr(init_job, "admin", lambda: created)
    init_job.provision()
    logged = capsys.readouterr()
    for secret in (password, token):
        assert secret not in logged.out
        assert secret not in logged.err
    assert "admin.json" in logged.out


def test_the_init_job_hands_bootstrap_a_password_that_begins_with_a_dash(
    init_job: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    # token_urlsafe draws "-" as a first character one time in 64; CI met it once.
    init_job.create_secrets()
    password = "-" + init_job.read_secret("TT_ADMIN_PASSWORD")
    (Path(os.environ["TT_SECRETS_DIR"]) / "TT_ADMIN_PASSWORD").write_text(password)
    argv: list[str] = []

    def bootstrap(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        argv.extend(command)
        doc = {"username": "admin", "password": password, "token": "tt_" + "k" * 32}
        return subprocess.CompletedProcess(command, 0, stdout=json.dumps(doc) + "\n")

    # The bootstrap run itself needs auth's database; its command line is what is checked.
    monkeypatch.setattr(init_job.subprocess, "run", bootstrap)
    init_job.admin()
    assert argv[1:3] == ["-m", "tt.auth.bootstrap"]
    parsed = parse_bootstrap_args(argv[3:])
    assert (parsed.username, parsed.password) == ("admin", password)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], within: float) -> None:
    deadline = time.monotonic() + within
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            assert process.poll() is None, "the server exited"
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def compose_redis(init_job: ModuleType, tmp_path: Path) -> Iterator[tuple[int, str]]:
    """A redis-server with the configuration the secrets job wrote; (port, password)."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    init_job.create_secrets()
    config = tmp_path / "redis" / "redis.conf"
    assert config.stat().st_mode & 0o777 == 0o444  # Redis runs as its own user
    port = _free_port()
    argv = [server, str(config), "--port", str(port), "--bind", "127.0.0.1"]
    argv += ["--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port, process, within=10)
        yield port, init_job.read_secret("TT_REDIS_PASSWORD")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_compose_redis_refuses_clients_without_the_password(
    compose_redis: tuple[int, str],
) -> None:
    port, password = compose_redis
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=port, socket_timeout=2).ping()
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=port, password="not-" + password, socket_timeout=2).ping()


def test_the_services_connect_with_the_password_from_their_secret(
    compose_redis: tuple[int, str],
) -> None:
    port, password = compose_redis
    settings = PlatformSettings(
        TT_ENV="test", TT_REDIS_URL=f"redis://127.0.0.1:{port}/3", TT_REDIS_PASSWORD=password
    )

    async def ping() -> object:
        client = redis_client(settings)
        try:
            return await client.ping()
        finally:
            await client.aclose()

    assert asyncio.run(ping()) is True


def _compose_kafka_properties(port: int, controller: int, data: Path) -> tuple[str, str]:
    """docker-compose.yml's broker settings as server.properties (the images' rule:
    KAFKA_LOG_DIRS is log.dirs), on local ports; and its KAFKA_OPTS."""
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    env = dict(compose["services"]["kafka"]["environment"])
    opts = str(env.pop("KAFKA_OPTS"))
    lines = []
    for name, value in env.items():
        if not name.startswith("KAFKA_") or name == "KAFKA_HEAP_OPTS":
            continue
        key = name.removeprefix("KAFKA_").lower().replace("_", ".")
        text = str(value).replace("kafka:9092", f"127.0.0.1:{port}")
        text = text.replace(":9092", f":{port}").replace(":9093", f":{controller}")
        lines.append(f"{key}={data if key == 'log.dirs' else text}")
    return "\n".join(lines) + "\n", opts


@pytest.fixture
def compose_kafka(init_job: ModuleType, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A broker configured as docker-compose.yml configures it; (bootstrap, password)."""
    from tt.devenv.install import ensure_java, ensure_kafka

    java, libs = str(ensure_java()), f"{ensure_kafka()}/*"
    init_job.create_secrets()
    jaas = tmp_path / "kafka" / "jaas.conf"
    assert jaas.stat().st_mode & 0o777 == 0o444  # the broker runs as its own user
    port, controller = _free_port(), _free_port()
    properties, opts = _compose_kafka_properties(port, controller, tmp_path / "kafka-data")
    config = tmp_path / "server.properties"
    config.write_text(properties)
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    cluster = compose["services"]["kafka"]["environment"]["CLUSTER_ID"]
    heap = ["-Xms64m", "-Xmx384m", "-XX:+UseSerialGC"]
    fmt = [java, *heap, "-cp", libs, "kafka.tools.StorageTool", "format", "-t", cluster]
    subprocess.run([*fmt, "-c", str(config)], check=True, capture_output=True, timeout=120)
    jvm = [*heap, opts.replace("/run/secrets/kafka/jaas.conf", str(jaas))]
    log = (tmp_path / "kafka.log").open("wb")
    process = subprocess.Popen(
        [java, *jvm, "-cp", libs, "kafka.Kafka", str(config)], stdout=log, stderr=log
    )
    try:
        _wait_for_port(port, process, within=120)
        yield f"127.0.0.1:{port}", init_job.read_secret("TT_KAFKA_SASL_PASSWORD")
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


async def _list_topics(bootstrap: str, **options: object) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000, **options)
    await admin.start()
    try:
        return list(await admin.list_topics())
    finally:
        await admin.close()


def test_compose_kafka_admits_only_clients_with_the_password(
    compose_kafka: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bootstrap, password = compose_kafka
    with pytest.raises((KafkaError, OSError)):
        asyncio.run(asyncio.wait_for(_list_topics(bootstrap), 20))
    wrong = {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "PLAIN",
        "sasl_plain_username": "tt",
        "sasl_plain_password": "not-" + password,
    }
    with pytest.raises((KafkaError, OSError)):
        asyncio.run(asyncio.wait_for(_list_topics(bootstrap, **wrong), 20))
    # What every tt client is built with, from the settings docker-compose.yml gives them.
    monkeypatch.setenv("TT_KAFKA_SASL_USERNAME", "tt")
    monkeypatch.setenv("TT_KAFKA_SASL_PASSWORD", password)
    assert isinstance(asyncio.run(_list_topics(bootstrap, **client_options())), list)
