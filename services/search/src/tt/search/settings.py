"""Settings of the search service (``TT_SEARCH_*``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from tt.common.settings import PlanCacheMode, PlatformSettings


class SearchSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="TT_SEARCH_", extra="ignore", frozen=True)

    service_name: str = "search"
    # The search statement's best plan depends on its parameters (a word in half the
    # entries or in none): the generic plan PostgreSQL caches after five runs of a
    # prepared statement scanned whole trigram indexes, ~1 s instead of ~10 ms.
    db_plan_cache_mode: PlanCacheMode = "force_custom_plan"
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
