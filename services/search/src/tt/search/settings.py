"""Settings of the search service (``TT_SEARCH_*``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from tt.common.settings import PlatformSettings


class SearchSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="TT_SEARCH_", extra="ignore", frozen=True)

    service_name: str = "search"
    # The Kafka consumer group of the indexer (every worker replica joins it).
    consumer_group: str = "tt.search.indexer"
    # Longer queries are refused with 400: nobody types more, and trigram matching on
    # a huge string costs time proportional to its length.
    max_query_length: int = 200
    # Rows of a category each way of matching hands to the ranking, at most: bounds the
    # work of a query that matches a large part of the index.
    ranked_candidates: int = 200
    # How often the worker publishes its lag for ``GET /internal/lag``.
    lag_report_seconds: float = 1.0
