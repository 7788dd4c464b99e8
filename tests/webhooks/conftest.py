"""Fixtures for webhook tests (helpers in ``webhook_kit`` and ``webhook_receivers``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from webhook_kit import Caller, Callers, Hooks, auth_is_running

from support.api import Users
from support.platform import PlatformInfo


@pytest.fixture(scope="session")
def callers(platform: PlatformInfo) -> Callers:
    return Callers(
        platform,
        Users(platform.gateway_url, platform.admin_token) if auth_is_running(platform) else None,
    )


@pytest.fixture
def caller(callers: Callers) -> Caller:
    """A fresh non-admin user with every read and write scope."""
    return callers.user()


@pytest.fixture
def admin(callers: Callers) -> Caller:
    """A fresh admin with an ``admin:all`` token."""
    return callers.admin()


@pytest.fixture
def hooks(platform: PlatformInfo) -> Iterator[Hooks]:
    helper = Hooks(platform)
    try:
        yield helper
    finally:
        helper.close()
