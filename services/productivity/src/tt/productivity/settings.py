"""Settings of the productivity service (``TT_PRODUCTIVITY_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from tt.common.settings import PlatformSettings

# services/productivity/web: package.json pins Chart.js; `./dev up` runs `npm ci` there.
WEB_DIR = Path(__file__).resolve().parents[3] / "web"


class ProductivitySettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="TT_PRODUCTIVITY_", extra="ignore", frozen=True)

    service_name: str = "productivity"

    # Redis caches (docs/architecture.md, Data and caches): stats 5 minutes unless a
    # timer runs, value 10 minutes.
    stats_cache_seconds: int = Field(default=300, ge=0)
    value_cache_seconds: int = Field(default=600, ge=0)
    # A project's forecast, shared by its users: 10 minutes, or until ?refresh=true.
    forecast_cache_seconds: int = Field(default=600, ge=0)
    # The value dashboard's currency (TimeTracker: Settings -> currency, default EUR).
    currency: str = Field(default="EUR", min_length=3, max_length=3)
    # Where Chart.js's dist/ files are (installed from npm, never a CDN).
    chartjs_dir: Path = WEB_DIR / "node_modules" / "chart.js" / "dist"
    consumer_group: str = "productivity"
