"""Fixtures of the security tests: they reuse the auth and webhooks test helpers."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_TESTS = Path(__file__).resolve().parents[1]
for folder in ("auth", "webhooks"):
    if str(_TESTS / folder) not in sys.path:
        sys.path.insert(0, str(_TESTS / folder))

from webhook_kit import Callers, Hooks  # noqa: E402

from support.api import Users  # noqa: E402
from support.platform import PlatformInfo  # noqa: E402


@pytest.fixture(scope="session")
def callers(platform: PlatformInfo) -> Callers:
    return Callers(platform, Users(platform.gateway_url, platform.admin_token))


@pytest.fixture
def hooks(platform: PlatformInfo) -> Iterator[Hooks]:
    helper = Hooks(platform)
    try:
        yield helper
    finally:
        helper.close()
