"""Fixtures for the productivity tests (helpers in ``prodkit``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from prodkit import Direct

from support.platform import PlatformInfo


@pytest.fixture(scope="session")
def direct(platform: PlatformInfo) -> Iterator[Direct]:
    client = Direct(platform)
    yield client
    client.http.close()


@pytest.fixture(scope="session")
def cache_redis(platform: PlatformInfo) -> Iterator[redis.Redis]:
    """The productivity service's Redis database (db 2 on local platforms)."""
    from tt.devenv.services import BY_NAME

    client = redis.Redis.from_url(f"{platform.redis_url}/{BY_NAME['productivity'].redis_db}")
    yield client
    client.close()
