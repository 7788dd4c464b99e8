"""Finding 6 (the network part): a process that reaches a service's public port, the one
the gateway routes to, gets neither identities from verify nor the services' metrics and
route maps. Those answer only on each service's internal port (tt.common.serve)."""

from __future__ import annotations

import httpx
import pytest

from support.api import TIMEOUT, User, assert_error
from support.platform import PlatformInfo

SERVICES = ("auth", "time", "productivity", "search", "webhooks")
PRIVATE = ("/metrics", "/docs", "/openapi.json")
# The same paths spelt as routers and proxies may also read them.
SPELLINGS = ("//metrics", "/metrics/", "/openapi.json/", "//internal/verify", "/internal/")


@pytest.mark.parametrize("service", SERVICES)
def test_the_public_port_hides_metrics_docs_and_the_openapi_document(
    platform: PlatformInfo, service: str
) -> None:
    base = platform.service_url(service)
    for path in (*PRIVATE, *SPELLINGS):
        r = httpx.get(base + path, timeout=TIMEOUT, follow_redirects=True)
        assert_error(r, 404, "not_found")
    # What the public port is for still answers.
    assert httpx.get(base + "/healthz", timeout=TIMEOUT).status_code == 200


def test_verify_gives_no_identity_on_auth_public_port(platform: PlatformInfo, user: User) -> None:
    headers = {
        "X-Forwarded-Method": "GET",
        "X-Forwarded-Uri": "/api/v1/users/me",
        "Authorization": f"Bearer {user.token}",
    }
    r = httpx.get(
        platform.service_url("auth") + "/internal/verify", headers=headers, timeout=TIMEOUT
    )
    assert_error(r, 404, "not_found")
    assert "X-TT-Identity" not in r.headers


@pytest.mark.parametrize("service", SERVICES)
def test_the_internal_port_serves_them(platform: PlatformInfo, service: str) -> None:
    base = platform.internal_url(service)
    metrics = httpx.get(base + "/metrics", timeout=TIMEOUT)
    assert metrics.status_code == 200
    assert "tt_outbox_pending_events" in metrics.text
    assert httpx.get(base + "/docs", timeout=TIMEOUT).status_code == 200
    assert httpx.get(base + "/openapi.json", timeout=TIMEOUT).json()["openapi"]


def test_verify_answers_on_auth_internal_port(platform: PlatformInfo, user: User) -> None:
    headers = {
        "X-Forwarded-Method": "GET",
        "X-Forwarded-Uri": "/api/v1/users/me",
        "Authorization": f"Bearer {user.token}",
    }
    r = httpx.get(
        platform.internal_url("auth") + "/internal/verify", headers=headers, timeout=TIMEOUT
    )
    assert r.status_code == 200, r.text
    assert r.headers["X-TT-Identity"]
