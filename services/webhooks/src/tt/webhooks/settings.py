"""Settings of the webhooks service (``TT_WEBHOOKS_*``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from tt.common.settings import PlatformSettings


class WebhooksSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="TT_WEBHOOKS_", extra="ignore", frozen=True)

    service_name: str = "webhooks"
