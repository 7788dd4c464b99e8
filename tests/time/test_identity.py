"""Straight to the time service's port, around the gateway: it trusts nothing but a valid
signed identity, and checks scopes and methods itself."""

from __future__ import annotations

import time

import pytest
from timekit import Direct

from support.api import assert_error, mint_identity
from tt.common.identity import generate_keypair


@pytest.mark.parametrize(
    "path", ["/api/v1/time-entries", "/api/v1/timer/status", "/api/v1/projects", "/api/v1/tasks",
             "/api/v1/clients"],
)  # fmt: skip
def test_no_identity_is_401(direct: Direct, path: str) -> None:
    assert_error(direct.http.get(path), 401, "unauthorized")
    forged = {"X-TT-Identity": mint_identity(generate_keypair()[0], user_id=1, is_admin=True)}
    assert_error(direct.http.get(path, headers=forged), 401, "unauthorized")


def test_expired_or_garbled_identity_is_401(direct: Direct) -> None:
    expired = direct.identity(user_id=7, now=time.time() - 3600, ttl=60)
    assert_error(direct.http.get("/api/v1/timer/status", headers=expired), 401, "unauthorized")
    garbled = {"X-TT-Identity": "not.a.token"}
    assert_error(direct.http.get("/api/v1/timer/status", headers=garbled), 401, "unauthorized")
    # Nothing is written by a request that is refused.
    refused = direct.http.post(
        "/api/v1/clients", json={"name": "should not exist"}, headers=expired
    )
    assert_error(refused, 401, "unauthorized")


def test_an_identity_that_expired_while_its_request_waited_is_503(direct: Direct) -> None:
    """Genuine, but expired a moment ago: the request sat in an overloaded platform longer
    than the identity lives (5 s). The client did nothing wrong and may retry: 503 with
    Retry-After, not 401; nothing is written. A forged one of the same age stays 401."""
    waited = direct.identity(user_id=7, now=time.time() - 20, ttl=5)
    answer = direct.http.post(
        "/api/v1/clients", json={"name": "should not exist either"}, headers=waited
    )
    assert_error(answer, 503, "unavailable")
    assert answer.headers["Retry-After"] == "1"
    forged = mint_identity(generate_keypair()[0], user_id=7, now=time.time() - 20, ttl=5)
    refused = direct.http.get("/api/v1/timer/status", headers={"X-TT-Identity": forged})
    assert_error(refused, 401, "unauthorized")
    clients = direct.http.get("/api/v1/clients", headers=direct.identity(user_id=7))
    assert "should not exist either" not in clients.text


def test_the_service_checks_scopes_and_methods_itself(direct: Direct) -> None:
    reader = direct.identity(user_id=99_000_001, username="reader", scopes=["read:projects"])
    denied = direct.http.post("/api/v1/projects", json={"name": "x"}, headers=reader)
    assert assert_error(denied, 403, "forbidden")["required_scope"] == "write:projects"
    token = direct.identity(user_id=99_000_001, username="reader")
    assert_error(direct.http.post("/api/timer/stop", headers=token), 401, "unauthorized")
    session = direct.identity(user_id=99_000_001, username="reader", auth_method="session")
    assert_error(direct.http.post("/api/timer/stop", headers=session), 400, "no_active_timer")
