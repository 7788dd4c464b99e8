"""A widget service (tt.common only) on a scratch database of the test platform, and a
bare scratch database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from support.platform import PlatformInfo
from support.widgets import WidgetService, scratch_database


@pytest.fixture(scope="module")
async def widgets(platform: PlatformInfo) -> AsyncIterator[WidgetService]:
    pg = platform.doc["postgres"]
    async with scratch_database(
        pg["host"], pg["port"], platform.secrets["pg_superuser_password"]
    ) as url:
        service = WidgetService(url, platform.kafka_bootstrap)
        await service.start()
        try:
            yield service
        finally:
            await service.stop()


@pytest.fixture
async def database(platform: PlatformInfo) -> AsyncIterator[str]:
    """A fresh database with the platform tables; dropped afterwards."""
    pg = platform.doc["postgres"]
    async with scratch_database(
        pg["host"], pg["port"], platform.secrets["pg_superuser_password"]
    ) as url:
        yield url
