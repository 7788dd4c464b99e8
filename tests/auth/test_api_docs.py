"""``/api/docs``: Swagger UI over one merged OpenAPI document of every service, through the
gateway with no token, every asset served by us (no CDN), rendered in a real browser."""

from __future__ import annotations

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from support.browser import chromium, console_errors, screenshot


def test_the_merged_document_lists_every_service(anonymous: httpx.Client) -> None:
    r = anonymous.get("/api/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    for path in (
        "/api/v1/info",
        "/api/v1/auth/login",
        "/api/v1/users/me",  # auth
        "/api/v1/projects",
        "/api/v1/time-entries",
        "/api/v1/timer/start",  # time
        "/api/v1/search",
        "/api/search",  # search
        "/api/v1/productivity/stats",
        "/api/stats/value-dashboard",  # productivity
        "/api/v1/webhooks",
    ):  # webhooks
        assert path in paths, path
    assert not [p for p in paths if p.startswith(("/internal", "/_gateway", "/healthz"))]
    assert {"bearerToken", "apiKeyHeader"} <= set(doc["components"]["securitySchemes"])


def test_swagger_ui_renders_without_console_errors(gateway_url: str) -> None:
    with chromium() as driver:
        driver.get(f"{gateway_url}/api/docs")
        WebDriverWait(driver, 30).until(
            lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock")) > 20
        )
        screenshot(driver, "api-docs.png")
        sources = [s.get_attribute("src") for s in driver.find_elements(By.TAG_NAME, "script")]
        assert all(src.startswith(gateway_url) for src in sources if src), sources
        assert console_errors(driver) == []
