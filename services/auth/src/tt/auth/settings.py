"""Settings of the auth service (``TT_AUTH_*``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from tt.common.settings import PlatformSettings


class AuthSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="TT_AUTH_", extra="ignore", frozen=True)

    service_name: str = "auth"
