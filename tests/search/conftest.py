"""Fixtures for the search tests (helpers in ``searchkit``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from searchkit import Caller, Indexer, new_id, word

from support.api import Users
from support.platform import PlatformInfo


@pytest.fixture(scope="session")
def indexer(platform: PlatformInfo) -> Indexer:
    return Indexer(platform.kafka_bootstrap)


@pytest.fixture(scope="session")
def search_url(platform: PlatformInfo) -> str:
    """The search service itself, around the gateway."""
    return platform.service_url("search")


def _caller(users: Users, platform: PlatformInfo, **kw: Any) -> Iterator[Caller]:
    caller = Caller(users.create(**kw), platform.gateway_url)
    yield caller
    caller.close()


@pytest.fixture
def alice(users: Users, platform: PlatformInfo) -> Iterator[Caller]:
    """A non-admin user with every read and write scope."""
    yield from _caller(users, platform)


@pytest.fixture
def bob(users: Users, platform: PlatformInfo) -> Iterator[Caller]:
    """Another non-admin user."""
    yield from _caller(users, platform)


@pytest.fixture
def boss(users: Users, platform: PlatformInfo) -> Iterator[Caller]:
    """An admin (``admin:all`` token)."""
    yield from _caller(users, platform, is_admin=True)


@pytest.fixture
def unique() -> str:
    return word()


@pytest.fixture
def ids() -> Iterator[int]:
    """Fresh entity ids (``next(ids)``)."""
    return iter(new_id, None)
