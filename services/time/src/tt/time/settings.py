"""Settings of the time service (``TT_TIME_*``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict
from starlette.requests import Request

from tt.common.settings import PlatformSettings


class TimeSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="TT_TIME_", extra="ignore", frozen=True)

    service_name: str = "time"

    # Currency of new clients and projects when a request names none (ISO 4217).
    default_currency: str = "EUR"

    # CSV imports: the largest upload accepted (413 above it); the gateway's own limit,
    # 16 MiB, is higher, so this one is what clients meet.
    import_max_bytes: int = 10 * 1024 * 1024

    # The inventory module (/api/v1/inventory/...): when off, every route of it is 404.
    inventory_enabled: bool = True


def default_currency(request: Request) -> str:
    """The currency of new records that name none (``TT_TIME_DEFAULT_CURRENCY``)."""
    settings: TimeSettings = request.app.state.settings
    return settings.default_currency
