"""Settings of the search service (``TT_SEARCH_*``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from tt.common.settings import PlatformSettings


class SearchSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="TT_SEARCH_", extra="ignore", frozen=True)

    service_name: str = "search"
