"""Fixtures for the search tests (helpers in ``searchkit``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from searchkit import Caller, Indexer, new_id, word

from support.platform import PlatformInfo


@pytest.fixture(scope="session")
def indexer(platform: PlatformInfo) -> Indexer:
    return Indexer(platform.kafka_bootstrap)


@pytest.fixture(scope="session")
def search_url(platform: PlatformInfo) -> str:
    return platform.service_url("search")


def _caller(platform: PlatformInfo, url: str, **kw: Any) -> Iterator[Caller]:
    caller = Caller(url, platform.secrets["identity_private_key"], id=new_id(), **kw)
    yield caller
    caller.http.close()


@pytest.fixture
def alice(platform: PlatformInfo, search_url: str) -> Iterator[Caller]:
    """A non-admin user."""
    yield from _caller(platform, search_url)


@pytest.fixture
def bob(platform: PlatformInfo, search_url: str) -> Iterator[Caller]:
    """Another non-admin user."""
    yield from _caller(platform, search_url)


@pytest.fixture
def boss(platform: PlatformInfo, search_url: str) -> Iterator[Caller]:
    """An admin."""
    yield from _caller(platform, search_url, is_admin=True)


@pytest.fixture
def unique() -> str:
    return word()


@pytest.fixture
def ids() -> Iterator[int]:
    """Fresh entity ids (``next(ids)``)."""
    return iter(new_id, None)
