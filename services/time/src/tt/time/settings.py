"""Settings of the time service (``TT_TIME_*``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from tt.common.settings import PlatformSettings


class TimeSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="TT_TIME_", extra="ignore", frozen=True)

    service_name: str = "time"
