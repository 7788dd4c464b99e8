"""SSRF protection with production's defaults (no plain http, no private targets).

The shared test platform allows loopback (its receivers live on 127.0.0.1), so these
tests serve the webhooks API in-process on the same database with production's target
settings, and drive the dispatcher's transport with a refusing policy against a live
receiver: the address is checked where the connection is made.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from webhook_kit import direct_client
from webhook_receivers import Receiver

from support.api import assert_error, mint_identity
from support.platform import PlatformInfo
from tt.webhooks.dispatch.policy import Outcome, classify
from tt.webhooks.dispatch.transport import Response, Transport
from tt.webhooks.main import create_app
from tt.webhooks.settings import WebhooksSettings
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


@pytest.fixture(scope="module")
async def production_api(platform: PlatformInfo) -> AsyncIterator[httpx.AsyncClient]:
    """The webhooks API with production's target rules, on the test platform's database,
    served in this process (its lifespan run by hand)."""
    settings = WebhooksSettings(
        TT_ENV="test",
        database_url=platform.dsn("webhooks").replace("postgresql://", "postgresql+asyncpg://", 1),
        allow_private_targets=False,
        allow_http=False,
        TT_IDENTITY_PUBLIC_KEY=platform.secrets["identity_public_key"],
        TT_REDIS_URL=platform.redis_url + "/4",
        TT_KAFKA_BOOTSTRAP=platform.kafka_bootstrap,
        TT_OTEL_INSTRUMENT=False,
        TT_LOG_LEVEL="WARNING",
    )
    app = create_app(settings)
    key = platform.secrets["identity_private_key"]

    async def sign(request: httpx.Request) -> None:
        request.headers["X-TT-Identity"] = mint_identity(key, user_id=424_242)

    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://webhooks.test",
            event_hooks={"request": [sign]},
        ) as client,
    ):
        yield client


@pytest.mark.parametrize("url", REFUSED_TARGETS)
async def test_private_loopback_link_local_metadata_and_http_targets_are_refused(
    production_api: httpx.AsyncClient, url: str
) -> None:
    r = await production_api.post("/api/v1/webhooks", json={"url": url, "events": ["tt.project.*"]})
    error = assert_error(r, 400, "validation_error")
    assert list(error["errors"]) == ["url"], error


async def test_public_targets_are_accepted_and_updates_are_checked_too(
    production_api: httpx.AsyncClient,
) -> None:
    created = []
    # A public address, and a name that does not resolve yet (checked at delivery).
    for url in ("https://93.184.216.34/hook", "https://hooks.example.com/tt"):
        r = await production_api.post("/api/v1/webhooks", json={"url": url, "events": ["*"]})
        assert r.status_code == 201, r.text
        created.append(r.json()["webhook"]["id"])
    try:
        r = await production_api.put(
            f"/api/v1/webhooks/{created[0]}", json={"url": "https://10.0.0.1/hook"}
        )
        assert_error(r, 400, "validation_error")
        webhook = (await production_api.get(f"/api/v1/webhooks/{created[0]}")).json()["webhook"]
        assert webhook["url"] == "https://93.184.216.34/hook"
    finally:
        for hook_id in created:
            await production_api.delete(f"/api/v1/webhooks/{hook_id}")


def _post(policy: TargetPolicy, url: str) -> Response:
    async def run() -> Response:
        transport = Transport(policy, timeout=2.0, connections=4)
        try:
            return await transport.post(1, url, [("content-type", "application/json")], b"{}")
        finally:
            await transport.close()

    return asyncio.run(run())


# The names and shorthand IPv4 forms a client library could turn into 127.0.0.1.
LOOPBACK_SPELLINGS = ("localhost", "127.1", "2130706433", "0x7f.0.0.1", "[::ffff:127.0.0.1]")


def test_delivery_time_check_refuses_a_loopback_address_before_connecting() -> None:
    receiver = Receiver()
    try:
        refusing = TargetPolicy(allow_http=True, allow_private=False)
        loopbacks = [receiver.url.replace("127.0.0.1", host) for host in LOOPBACK_SPELLINGS]
        for url in (receiver.url, *loopbacks):
            response = _post(refusing, url)
            assert classify(response) is Outcome.REFUSED, response
        assert receiver.all() == []  # nothing reached the receiver

        allowing = TargetPolicy(allow_http=True, allow_private=True)
        response = _post(allowing, receiver.url)
        assert classify(response) is Outcome.DELIVERED, response
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
