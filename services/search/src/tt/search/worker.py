"""The search worker process (``python -m tt.search.worker``): the indexer.

``--reindex`` rebuilds the index from the compacted topics, prints a summary and exits.
"""

from __future__ import annotations

import asyncio
from typing import cast

from tt.common.resources import Resources
from tt.common.worker import worker_main
from tt.search.consumers import indexer
from tt.search.reindex import rebuild_index
from tt.search.settings import SearchSettings
from tt.search.status.lag import report_lag


async def index_events(resources: Resources) -> None:
    """Worker task: consume the time topics into the index and report the lag."""
    settings = cast(SearchSettings, resources.settings)
    runner = indexer(resources, settings.consumer_group)
    await asyncio.gather(
        runner.run(), report_lag(runner, resources.redis, settings.lag_report_seconds)
    )


def main() -> None:
    worker_main(SearchSettings(), [index_events], rebuild_index)


if __name__ == "__main__":
    main()
