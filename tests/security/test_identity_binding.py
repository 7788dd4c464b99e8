"""Finding 6 (the identity part): an ``X-TT-Identity`` auth issues is bound to the one
request line it was issued for and lives a few seconds, so one taken from verify (or
from a request) is no pass for another path, method or service."""

from __future__ import annotations

import httpx
import jwt
from authkit import verify

from support.api import TIMEOUT, User
from support.platform import PlatformInfo


def _identity_for(platform: PlatformInfo, user: User, method: str, uri: str) -> str:
    r = verify(platform, uri, method=method, headers={"Authorization": f"Bearer {user.token}"})
    assert r.status_code == 200, r.text
    return r.headers["X-TT-Identity"]


def test_an_identity_works_only_for_its_own_method_and_path(
    platform: PlatformInfo, user: User
) -> None:
    identity = _identity_for(platform, user, "GET", "/api/v1/projects?page=1")
    headers = {"X-TT-Identity": identity}
    time_url = platform.service_url("time")
    ok = httpx.get(time_url + "/api/v1/projects", headers=headers, timeout=TIMEOUT)
    assert ok.status_code == 200, ok.text
    for method, url in (
        ("POST", time_url + "/api/v1/projects"),
        ("GET", time_url + "/api/v1/clients"),
        ("GET", platform.service_url("webhooks") + "/api/v1/webhooks"),
        ("GET", platform.service_url("search") + "/api/v1/search?q=abc"),
    ):
        r = httpx.request(method, url, headers=headers, json={"name": "x"}, timeout=TIMEOUT)
        assert r.status_code == 401, (method, url, r.status_code, r.text)
        assert r.json()["error_code"] == "unauthorized"


def test_an_identity_lives_a_few_seconds(platform: PlatformInfo, user: User) -> None:
    identity = _identity_for(platform, user, "GET", "/api/v1/projects")
    claims = jwt.decode(identity, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] <= 10, claims
    assert (claims["mth"], claims["pth"]) == ("GET", "/api/v1/projects")
