"""Settings of the productivity service (``TT_PRODUCTIVITY_*``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from tt.common.settings import PlatformSettings


class ProductivitySettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="TT_PRODUCTIVITY_", extra="ignore", frozen=True)

    service_name: str = "productivity"
