"""docs/api.md §8 (webhooks) through the gateway: the route table with its answers, the
secret's form (``whsec_`` + base64, shown once, rotatable), event-type globs, and the
target rules of a local platform: loopback allowed (the tests' receivers), private,
shared and link-local addresses refused as in production."""

from __future__ import annotations

import base64

import pytest
from contractkit import created, error, ok

from support.api import User

LOOPBACK = "http://127.0.0.1:9/hook"


def _secret_bytes(secret: str) -> bytes:
    assert secret.startswith("whsec_"), secret
    return base64.b64decode(secret.removeprefix("whsec_"), validate=True)


def test_every_documented_route_answers(user: User) -> None:
    api = user.api
    r = api.post("/api/v1/webhooks", json={"url": LOOPBACK, "events": ["tt.time_entry.*"]})
    hook = created(r, "webhook")
    assert hook["url"] == LOOPBACK
    assert hook["events"] == ["tt.time_entry.*"]
    assert hook["active"] is True
    first = r.json()["secret"]
    assert _secret_bytes(first)

    path = f"/api/v1/webhooks/{hook['id']}"
    assert ok(api.get(path))["webhook"]["id"] == hook["id"]
    assert hook["id"] in [w["id"] for w in ok(api.get("/api/v1/webhooks"))["webhooks"]]
    changed = ok(api.put(path, json={"active": False, "events": ["tt.project.*", "tt.task.*"]}))
    assert changed["webhook"]["active"] is False
    assert changed["webhook"]["events"] == ["tt.project.*", "tt.task.*"]
    assert "secret" not in changed["webhook"]
    assert "whsec_" not in str(changed)

    error(api.post(f"{path}/test"), 409, "conflict")  # not while inactive
    ok(api.put(path, json={"active": True}))
    test = ok(api.post(f"{path}/test"), 202)["delivery"]
    deliveries = ok(api.get(f"{path}/deliveries"))["deliveries"]
    assert test["id"] in [d["id"] for d in deliveries]
    # A delivery still pending is not redelivered (it will be retried on its own); the
    # route exists and names the delivery it refuses.
    error(api.post(f"{path}/deliveries/{test['id']}/redeliver"), 409, "conflict")
    error(api.post(f"{path}/deliveries/999999999/redeliver"), 404, "not_found")

    rotated = ok(api.post(f"{path}/rotate-secret"))
    assert _secret_bytes(rotated["secret"]) != _secret_bytes(first)

    ok(api.delete(path))
    error(api.get(path), 404, "not_found")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://[::1]:9/hook",
    ],
)
def test_loopback_targets_are_allowed_on_a_local_platform(user: User, url: str) -> None:
    hook = created(
        user.api.post("/api/v1/webhooks", json={"url": url, "events": ["tt.project.*"]}),
        "webhook",
    )
    ok(user.api.delete(f"/api/v1/webhooks/{hook['id']}"))


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.5/hook",
        "https://172.16.0.1/hook",
        "https://192.168.1.10/hook",
        "https://100.64.0.1/hook",  # shared address space
        "https://169.254.1.1/hook",  # link-local
        "https://169.254.169.254/latest/meta-data",
        "https://[fe80::1]/hook",
        "https://[fd00::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "ftp://hooks.example.com/hook",
    ],
)
def test_private_and_link_local_targets_are_refused(user: User, url: str) -> None:
    # docs/api.md §8: "./dev up and tests allow loopback"; nothing more.
    r = user.api.post("/api/v1/webhooks", json={"url": url, "events": ["tt.project.*"]})
    body = error(r, 400, "validation_error")
    assert "url" in body["errors"], body
    assert all(w["url"] != url for w in ok(user.api.get("/api/v1/webhooks"))["webhooks"])
