"""The search worker process (``python -m tt.search.worker``): the indexer.

``--reindex`` rebuilds the index from the compacted topics, prints a summary and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import cast

from tt.common.resources import Resources
from tt.common.telemetry import setup_logging
from tt.common.worker import run_worker
from tt.search.events import indexer
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


async def reindex(settings: SearchSettings) -> dict[str, object]:
    resources = Resources.open(settings)
    try:
        summary = await rebuild_index(resources)
    finally:
        await resources.close()
    return dict(summary.__dict__)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tt.search.worker")
    parser.add_argument(
        "--reindex", action="store_true", help="rebuild the index from the topics, then exit"
    )
    args = parser.parse_args()
    settings = SearchSettings()
    if args.reindex:
        setup_logging(settings.service_name + "-reindex", settings.log_level)
        print(json.dumps(asyncio.run(reindex(settings))))
        return
    run_worker(settings, [index_events])


if __name__ == "__main__":
    main()
