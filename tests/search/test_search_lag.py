"""The indexer reports how far behind the topics it is: ``GET /internal/lag`` on the
search service's internal port (an ops endpoint, not routed by the gateway)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
from searchkit import Indexer, project

from support.api import wait_until
from support.platform import PlatformInfo


def test_the_indexer_reports_its_lag_per_partition(
    indexer: Indexer, platform: PlatformInfo, unique: str, ids: Iterator[int]
) -> None:
    indexer.publish(*(project(next(ids), f"{unique} {n}") for n in range(6)))

    def caught_up() -> dict[str, object] | None:
        body: dict[str, object] = httpx.get(
            platform.internal_url("search") + "/internal/lag"
        ).json()
        return body if body["lag"] == 0 else None

    body = wait_until(caught_up, timeout=10, what="a lag report of 0")
    assert body["group"] == "tt.search.indexer"
    partitions = body["partitions"]
    assert isinstance(partitions, dict)
    assert any(
        name.startswith(indexer.catalogue.for_entity("project").name + "/") for name in partitions
    )
    assert all(isinstance(lag, int) and lag >= 0 for lag in partitions.values())
    age = body["reported_seconds_ago"]
    assert isinstance(age, float)
    assert 0 <= age < 15
