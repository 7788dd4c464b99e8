"""Finding 16 (the parts done): admin-created tokens expire by default, session cookies
are Secure unless the gateway is plain http on loopback, and workers serve /metrics on
loopback only unless told otherwise."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest

from support.api import User, unique
from support.platform import PlatformInfo
from tt.auth.settings import AuthSettings


def test_an_admin_created_token_without_expiry_gets_the_default(
    admin_api: httpx.Client, user: User
) -> None:
    r = admin_api.post(
        "/api/v1/admin/api-tokens",
        json={"name": unique("tok-"), "user_id": user.id, "scopes": ["read:projects"]},
    )
    assert r.status_code == 201, r.text
    expires = r.json()["api_token"]["expires_at"]
    assert expires is not None
    left = datetime.fromisoformat(expires.replace("Z", "+00:00")) - datetime.now(UTC)
    assert timedelta(days=89) < left <= timedelta(days=90)


@pytest.mark.parametrize(
    ("base_url", "secure"),
    [
        ("http://127.0.0.1:8080", False),
        ("http://localhost:8080", False),
        ("http://tt.example.com", True),
        ("http://10.0.0.5:8080", True),
        ("https://tt.example.com", True),
    ],
)
def test_cookies_are_secure_unless_plain_loopback(base_url: str, secure: bool) -> None:
    settings = AuthSettings(TT_ENV="test", public_base_url=base_url)
    assert settings.secure_cookies is secure


def _outward_address() -> str:
    # The address this machine would use towards another host (no packet is sent).
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))
        address = str(probe.getsockname()[0])
    assert not address.startswith("127."), "this test needs a non-loopback interface"
    return address


def test_worker_metrics_answer_on_loopback_only(platform: PlatformInfo) -> None:
    urls = platform.doc["worker_metrics"]
    url = next(iter(urls.values()))[0] if isinstance(urls, dict) else urls[0]
    port = urlsplit(url).port
    assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection((_outward_address(), port), timeout=3),
    ):
        pass
