"""Pure logic of the webhooks service: glob matching, retry policy, Retry-After, the
target policy, secret encryption and Standard Webhooks signatures."""

from __future__ import annotations

import fnmatch
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks import Webhook

from tt.webhooks.dispatch.policy import (
    Backoff,
    Outcome,
    classify,
    next_attempt,
    retry_after_seconds,
)
from tt.webhooks.dispatch.transport import Response
from tt.webhooks.settings import WebhooksSettings
from tt.webhooks.signing import SecretBox, new_secret, signature_header
from tt.webhooks.subscribable import EVENT_TYPES, glob_to_regex, matching_types
from tt.webhooks.targets import TargetPolicy, TargetRefused

GLOB_CHARS = st.sampled_from(list("tt.time_entry.project.created*?_"))


@given(st.lists(st.text(GLOB_CHARS, min_size=1, max_size=30), min_size=1, max_size=4))
def test_the_sql_pattern_matches_exactly_what_the_globs_match(globs: list[str]) -> None:
    pattern = re.compile(glob_to_regex(globs))  # PostgreSQL's ~ reads these the same way
    for event_type in (*EVENT_TYPES, "tt.webhook.test", "tt_time_entry_created"):
        expected = any(fnmatch.fnmatchcase(event_type, g) for g in globs)
        assert bool(pattern.search(event_type)) == expected, (globs, event_type)


def test_matching_types() -> None:
    assert matching_types("tt.task.*") == [
        "tt.task.created",
        "tt.task.updated",
        "tt.task.completed",
        "tt.task.deleted",
    ]
    assert matching_types("tt.nothing.*") == []
    assert len(matching_types("*")) == len(EVENT_TYPES)


@pytest.mark.parametrize(
    ("response", "outcome"),
    [
        (Response(200, 5), Outcome.DELIVERED),
        (Response(204, 5), Outcome.DELIVERED),
        (Response(410, 5), Outcome.GONE),
        (Response(429, 5), Outcome.RETRY),
        (Response(408, 5), Outcome.RETRY),
        (Response(500, 5), Outcome.RETRY),
        (Response(503, 5), Outcome.RETRY),
        (Response(None, 5, error="timed out", timed_out=True), Outcome.RETRY),
        (Response(None, 5, error="ConnectError"), Outcome.RETRY),
        (Response(None, 0, error="refused", refused=True), Outcome.REFUSED),
        (Response(301, 5), Outcome.FAILED),
        (Response(400, 5), Outcome.FAILED),
        (Response(404, 5), Outcome.FAILED),
    ],
)
def test_classify(response: Response, outcome: Outcome) -> None:
    assert classify(response) is outcome


def test_backoff_grows_exponentially_with_jitter_and_is_capped() -> None:
    backoff = Backoff(base_seconds=5, max_delay_seconds=3600)
    assert backoff.delay(1, lambda: 0.0) == 2.5
    assert backoff.delay(1, lambda: 1.0) == 5.0
    assert backoff.delay(4, lambda: 1.0) == 40.0
    assert backoff.delay(30, lambda: 1.0) == 3600.0
    assert backoff.delay(30, lambda: 0.0) == 1800.0
    # A thousand failures (short test timings reach them within 24 h) do not overflow.
    assert backoff.delay(5_000, lambda: 1.0) == 3600.0
    assert Backoff(0.05, 0.5).delay(10**9, lambda: 1.0) == 0.5
    delays = {backoff.delay(3) for _ in range(50)}
    assert len(delays) > 1
    assert all(10 <= d <= 20 for d in delays)


def test_retry_after_and_the_retry_window() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("Thu, 01 Jan 2026 12:01:00 GMT", now) == 60
    assert retry_after_seconds("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None
    assert retry_after_seconds("9" * 40, now) == 30 * 86_400  # no overflow

    backoff = Backoff(base_seconds=1, max_delay_seconds=10)
    window = now + timedelta(hours=24)
    asked = next_attempt(backoff, 1, "600", now, window)
    assert asked == now + timedelta(seconds=600)  # the receiver asked for longer
    assert next_attempt(backoff, 1, "0", now, window) <= now + timedelta(seconds=1)  # type: ignore[operator]
    assert next_attempt(backoff, 1, str(25 * 3600), now, window) is None  # past 24 h: give up
    assert next_attempt(backoff, 50, None, window - timedelta(seconds=1), window) is None


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.20.1.1",
        "192.168.0.1",
        "169.254.0.5",
        "100.64.1.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:10.0.0.1",
        "198.18.0.1",
        "240.0.0.1",
    ],
)
def test_private_addresses_are_refused_unless_allowed(address: str) -> None:
    import ipaddress

    ip = ipaddress.ip_address(address)
    with pytest.raises(TargetRefused):
        TargetPolicy(allow_http=False, allow_private=False).check_address(ip)
    TargetPolicy(allow_http=False, allow_private=True).check_address(ip)


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_allow_loopback_passes_loopback_only(address: str) -> None:
    import ipaddress

    loopback_only = TargetPolicy(allow_http=True, allow_private=False, allow_loopback=True)
    loopback_only.check_address(ipaddress.ip_address(address))
    assert loopback_only.check_url("http://localhost:9/hook") == ("localhost", 9)
    for other in ("10.0.0.1", "192.168.0.1", "169.254.0.5", "fe80::1", "fc00::1", "100.64.1.1"):
        with pytest.raises(TargetRefused):
            loopback_only.check_address(ipaddress.ip_address(other))


@pytest.mark.parametrize(
    "address",
    ["169.254.169.254", "fd00:ec2::254", "100.100.100.200", "0.0.0.0", "::", "224.0.0.1"],  # noqa: S104
)
def test_metadata_unspecified_and_multicast_are_refused_always(address: str) -> None:
    import ipaddress

    with pytest.raises(TargetRefused):
        TargetPolicy(allow_http=True, allow_private=True).check_address(
            ipaddress.ip_address(address)
        )


def test_public_addresses_and_urls_pass() -> None:
    policy = TargetPolicy(allow_http=False, allow_private=False)
    assert policy.check_url("https://93.184.216.34/hook") == ("93.184.216.34", 443)
    assert policy.check_url("https://hooks.example.com:8443/x?y=1") == ("hooks.example.com", 8443)
    for bad in ("http://hooks.example.com/", "https://hooks.example.com/#frag", "ws://x/"):
        with pytest.raises(TargetRefused):
            policy.check_url(bad)


def test_secrets_are_encrypted_and_survive_key_rotation() -> None:
    secret = new_secret()
    old = SecretBox(["old-key-" + "x" * 30])
    sealed = old.seal(secret)
    assert secret.encode() not in sealed
    rotated = SecretBox(["new-key-" + "y" * 30, "old-key-" + "x" * 30])
    assert rotated.open(sealed) == secret
    assert rotated.open(rotated.seal(secret)) == secret
    with pytest.raises(ValueError, match="cannot be decrypted"):
        SecretBox(["another-key-" + "z" * 30]).open(sealed)


def test_signatures_verify_with_the_standardwebhooks_library() -> None:
    first, second = new_secret(), new_secret()
    body = b'{"specversion":"1.0","id":"e1","data":{"version":1}}'
    now = datetime.now(UTC)
    header = signature_header("e1", now, body, [first, second])
    headers = {
        "webhook-id": "e1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": header,
    }
    assert len(header.split(" ")) == 2
    assert Webhook(first).verify(body, headers)["id"] == "e1"
    assert Webhook(second).verify(body, headers)["id"] == "e1"


def test_placeholder_or_short_encryption_keys_are_refused_in_production() -> None:
    base = {"TT_ENV": "prod", "TT_IDENTITY_PUBLIC_KEY": "pem"}
    for key in ("dev-secret", "change-me", "short"):
        with pytest.raises(ValueError, match="TT_WEBHOOKS_SECRET_KEY"):
            WebhooksSettings(**{**base, "secret_key": key})  # type: ignore[arg-type]
    settings = WebhooksSettings(**{**base, "secret_key": "k" * 40})  # type: ignore[arg-type]
    assert settings.allow_private_targets is False
    assert settings.allow_http is False
