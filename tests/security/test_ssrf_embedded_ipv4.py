"""Finding 12: an IPv4 address embedded in an IPv6 one (IPv4-compatible, NAT64 64:ff9b::/96,
6to4 2002::/16) is checked as that IPv4 address, and a refusal never echoes the address a
name resolved to."""

from __future__ import annotations

import pytest

from support.api import User, assert_error
from tt.webhooks.targets import TargetPolicy, TargetRefused

EMBEDDED_PRIVATE = [
    "http://[::a00:1]/hook",  # IPv4-compatible 10.0.0.1
    "http://[64:ff9b::a00:1]/hook",  # NAT64 10.0.0.1
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data",  # NAT64 169.254.169.254 (metadata)
    "http://[2002:a00:1::1]/hook",  # 6to4 10.0.0.1
    "http://[64:ff9b::c0a8:101]/hook",  # NAT64 192.168.1.1
]


@pytest.mark.parametrize("url", EMBEDDED_PRIVATE)
def test_embedded_private_ipv4_is_refused_through_the_gateway(user: User, url: str) -> None:
    # The test platform allows loopback targets only; these embed private addresses.
    r = user.api.post("/api/v1/webhooks", json={"url": url, "events": ["tt.project.*"]})
    body = assert_error(r, 400, "validation_error")
    assert "url" in body["errors"], body


@pytest.mark.parametrize(
    "address", ["::a00:1", "64:ff9b::a00:1", "64:ff9b::a9fe:a9fe", "2002:a00:1::1", "::7f00:1"]
)
def test_production_policy_refuses_embedded_private_addresses(address: str) -> None:
    import ipaddress

    policy = TargetPolicy(allow_http=False, allow_private=False)
    with pytest.raises(TargetRefused):
        policy.check_address(ipaddress.ip_address(address))


def test_embedded_public_addresses_stay_allowed() -> None:
    import ipaddress

    policy = TargetPolicy(allow_http=False, allow_private=False)
    for address in ("64:ff9b::808:808", "2002:808:808::1", "2606:4700::1111"):
        policy.check_address(ipaddress.ip_address(address))


async def test_a_refusal_does_not_echo_the_resolved_address() -> None:
    policy = TargetPolicy(allow_http=True, allow_private=False)
    with pytest.raises(TargetRefused) as refused:
        await policy.resolve("localhost", 80)
    message = str(refused.value)
    assert "127.0.0.1" not in message, message
    assert "::1" not in message, message
