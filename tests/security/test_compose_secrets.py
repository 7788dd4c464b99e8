"""Finding 16 (the compose part): the init job writes the admin's password and token to
the secrets volume only, never to its log, and the compose Redis refuses clients without
the password the secrets job generated, which the services pass (TT_REDIS_PASSWORD).

The jobs are run here as the compose stack runs them (deploy/docker/init/tt_init.py),
with their folders in a temporary directory; Redis is a real redis-server started with
the configuration the job wrote."""

from __future__ import annotations

import asyncio
import importlib.util
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

from tt.common.resources import redis_client
from tt.common.settings import PlatformSettings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def init_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "tt_init_under_test", REPO / "deploy/docker/init/tt_init.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (tmp_path / "secrets").mkdir()
    (tmp_path / "redis").mkdir()
    monkeypatch.setenv("TT_SECRETS_DIR", str(tmp_path / "secrets"))
    monkeypatch.setenv("REDIS_CONFIG_DIR", str(tmp_path / "redis"))
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
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
