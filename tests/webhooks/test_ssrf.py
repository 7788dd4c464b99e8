"""SSRF protection with production's defaults (no plain http, no private targets).

The shared test platform allows loopback (its receivers live on 127.0.0.1), so these
tests start a second webhooks API process on the same database with the production
settings, and drive the dispatcher's transport with a refusing policy against a live
receiver: the address is checked where the connection is made.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from webhook_receivers import Receiver

from conftest import direct_client
from support.api import assert_error
from support.platform import PlatformInfo
from tt.webhooks.dispatch.policy import Outcome, classify
from tt.webhooks.dispatch.transport import Transport
from tt.webhooks.targets import TargetPolicy

REFUSED_TARGETS = [
    "https://127.0.0.1/hook",
    "https://127.8.9.10/hook",
    "https://localhost/hook",
    "https://api.localhost/hook",
    "https://10.1.2.3/hook",
    "https://172.16.0.1/hook",
    "https://192.168.1.10/hook",
    "https://100.64.0.1/hook",
    "https://169.254.1.1/hook",
    "https://169.254.169.254/latest/meta-data",
    "https://[::1]/hook",
    "https://[fe80::1]/hook",
    "https://[fd00::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://2130706433/hook",
    "https://0x7f.1/hook",
    "https://0.0.0.0/hook",
    "http://hooks.example.com/plain-http",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def production_api(platform: PlatformInfo) -> Iterator[str]:
    """The webhooks API with production's target rules, on the test platform's database."""
    port = _free_port()
    env = {
        **os.environ,
        "TT_ENV": "test",
        "TT_WEBHOOKS_DATABASE_URL": platform.dsn("webhooks").replace(
            "postgresql://", "postgresql+asyncpg://", 1
        ),
        "TT_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "false",
        "TT_WEBHOOKS_ALLOW_HTTP": "false",
        "TT_IDENTITY_PUBLIC_KEY": platform.secrets["identity_public_key"],
        "TT_REDIS_URL": platform.redis_url + "/4",
        "TT_KAFKA_BOOTSTRAP": platform.kafka_bootstrap,
        "TT_OTEL_INSTRUMENT": "false",
        "TT_LOG_LEVEL": "WARNING",
    }
    argv = [sys.executable, "-m", "uvicorn", "tt.webhooks.main:create_app", "--factory"]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(argv, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, "the webhooks API did not start"
            assert time.monotonic() < deadline, "the webhooks API did not answer in 30s"
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def production_client(platform: PlatformInfo, production_api: str) -> Iterator[httpx.Client]:
    client = direct_client(platform, user_id=424_242)
    client.base_url = httpx.URL(production_api)
    with client:
        yield client


@pytest.mark.parametrize("url", REFUSED_TARGETS)
def test_private_loopback_link_local_metadata_and_http_targets_are_refused(
    production_client: httpx.Client, url: str
) -> None:
    r = production_client.post("/api/v1/webhooks", json={"url": url, "events": ["tt.project.*"]})
    error = assert_error(r, 400, "validation_error")
    assert list(error["errors"]) == ["url"], error


def test_public_targets_are_accepted_and_updates_are_checked_too(
    production_client: httpx.Client,
) -> None:
    created = []
    # A public address, and a name that does not resolve yet (checked at delivery).
    for url in ("https://93.184.216.34/hook", "https://hooks.example.com/tt"):
        r = production_client.post("/api/v1/webhooks", json={"url": url, "events": ["*"]})
        assert r.status_code == 201, r.text
        created.append(r.json()["webhook"]["id"])
    try:
        r = production_client.put(
            f"/api/v1/webhooks/{created[0]}", json={"url": "https://10.0.0.1/hook"}
        )
        assert_error(r, 400, "validation_error")
        webhook = production_client.get(f"/api/v1/webhooks/{created[0]}").json()["webhook"]
        assert webhook["url"] == "https://93.184.216.34/hook"
    finally:
        for hook_id in created:
            production_client.delete(f"/api/v1/webhooks/{hook_id}")


def _post(policy: TargetPolicy, url: str) -> object:
    async def run() -> object:
        transport = Transport(policy, timeout=2.0, max_connections=4)
        try:
            return await transport.post(url, [("content-type", "application/json")], b"{}")
        finally:
            await transport.close()

    return asyncio.run(run())


def test_delivery_time_check_refuses_a_loopback_address_before_connecting() -> None:
    receiver = Receiver()
    try:
        refusing = TargetPolicy(allow_http=True, allow_private=False)
        for url in (receiver.url, receiver.url.replace("127.0.0.1", "localhost")):
            response = _post(refusing, url)
            assert classify(response) is Outcome.REFUSED, response  # type: ignore[arg-type]
        assert receiver.all() == []  # nothing reached the receiver

        allowing = TargetPolicy(allow_http=True, allow_private=True)
        response = _post(allowing, receiver.url)
        assert classify(response) is Outcome.DELIVERED, response  # type: ignore[arg-type]
        assert len(receiver.all()) == 1
    finally:
        receiver.close()


def test_metadata_addresses_are_refused_even_where_private_targets_are_allowed(
    platform: PlatformInfo,
) -> None:
    with direct_client(platform, user_id=434_343) as client:
        for url in ("http://169.254.169.254/latest", "http://[fd00:ec2::254]/", "http://0.0.0.0/"):
            r = client.post("/api/v1/webhooks", json={"url": url, "events": ["*"]})
            assert_error(r, 400, "validation_error")
