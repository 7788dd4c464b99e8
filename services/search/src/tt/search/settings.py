"""Settings of the search service (``TT_SEARCH_*``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from tt.common.settings import PlanCacheMode, PlatformSettings


class SearchSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="TT_SEARCH_", extra="ignore", frozen=True)

    service_name: str = "search"
    # Every scan of the search statement is written so that its plan does not depend on
    # the values (see queries/repository.py): each shape is planned once per connection
    # (planning it afresh cost as much as running it).
    db_plan_cache_mode: PlanCacheMode = "force_generic_plan"
    # The Kafka consumer group of the indexer (every worker replica joins it).
    consumer_group: str = "tt.search.indexer"
    # Longer queries are refused with 400: nobody types more, and trigram matching on
    # a huge string costs time proportional to its length.
    max_query_length: int = 200
    # The newest matches of a category that are ranked, at most: bounds the work of a
    # query that matches a large part of the index.
    ranked_candidates: int = 50
    # How many of a category's newest rows are tested before the indexes are asked for
    # every match (a word in fewer than limit of them is rare enough for a small bitmap).
    probe_rows: int = 500
    # Similar words of the index each word of a query may stand for (typos).
    similar_words: int = 5
    # How often the worker publishes its lag for ``GET /internal/lag``.
    lag_report_seconds: float = 1.0
