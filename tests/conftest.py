"""Fixtures over the real platform that ``./dev test`` starts (PostgreSQL, Redis, Kafka,
Traefik and every service). Run alone (``uv run pytest``), the session starts a test
platform itself and stops it at the end."""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from support.api import TIMEOUT, User, Users, token_client
from support.platform import PlatformInfo


@pytest.fixture(scope="session")
def platform() -> Iterator[PlatformInfo]:
    if os.environ.get("TT_TEST_INFRA") == "containers":
        # PostgreSQL, Redis and Kafka from testcontainers (support/containers.py).
        from support.containers import container_platform

        with container_platform() as info:
            yield info
        return
    path = os.environ.get("TT_PLATFORM_FILE")
    if path:
        yield PlatformInfo.load(path)
        return
    from tt.devenv.layout import Layout
    from tt.devenv.platform import Platform

    local = Platform(Layout.for_profile("test"))
    local.up()
    try:
        yield PlatformInfo.load(local.layout.platform_file)
    finally:
        local.down()


@pytest.fixture(scope="session")
def gateway_url(platform: PlatformInfo) -> str:
    return platform.gateway_url


@pytest.fixture(scope="session")
def anonymous(gateway_url: str) -> Iterator[httpx.Client]:
    """A client with no credentials, through the gateway."""
    with httpx.Client(base_url=gateway_url, timeout=TIMEOUT) as client:
        yield client


@pytest.fixture(scope="session")
def admin_api(platform: PlatformInfo) -> Iterator[httpx.Client]:
    """The admin token that ``up`` created, through the gateway."""
    with token_client(platform.gateway_url, platform.admin_token) as client:
        yield client


@pytest.fixture(scope="session")
def users(platform: PlatformInfo) -> Users:
    return Users(platform.gateway_url, platform.admin_token)


@pytest.fixture
def user(users: Users) -> User:
    """A fresh non-admin user with every read and write scope."""
    return users.create()


@pytest.fixture
def admin_user(users: Users) -> User:
    """A fresh admin user with an ``admin:all`` token."""
    return users.create(is_admin=True)


@pytest.fixture(scope="session")
def local_platform(platform: PlatformInfo):  # type: ignore[no-untyped-def]
    """The platform's process controller, for fault tests that stop and restart servers."""
    from tt.devenv.platform import Platform

    return Platform.from_file(platform.path)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Fault tests stop shared servers: run them last, so nothing else sees the outage."""
    items.sort(key=lambda item: item.get_closest_marker("fault") is not None)
