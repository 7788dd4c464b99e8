"""Fixtures for the time-service tests (helpers in ``timekit``)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from timekit import Direct

from support.api import User, browser_session
from support.platform import PlatformInfo


@pytest.fixture(scope="session")
def direct(platform: PlatformInfo) -> Iterator[Direct]:
    client = Direct(platform)
    yield client
    client.http.close()


@pytest.fixture
def browser(platform: PlatformInfo, user: User) -> Iterator[httpx.Client]:
    """The ``user`` fixture's browser session (cookie plus CSRF header), via the gateway."""
    client = browser_session(platform.gateway_url, user.username, user.password)
    yield client
    client.close()
