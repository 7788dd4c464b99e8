"""``/api/docs``: Swagger UI over one merged OpenAPI document of every service, through the
gateway with no token, every asset served by us (no CDN), rendered in a real browser."""

from __future__ import annotations

from typing import Any

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


def _schema(doc: dict[str, Any], path: str, method: str, status: str, media: str) -> Any:
    return doc["paths"][path][method]["responses"][status]["content"][media]["schema"]


def test_auth_and_webhooks_answers_are_documented_as_they_are(anonymous: httpx.Client) -> None:
    doc = anonymous.get("/api/openapi.json").json()
    schemas = doc["components"]["schemas"]
    # JSON answers name their model (not "a string"); lists carry their envelope.
    for path, method, status, model in [
        ("/api/v1/admin/users", "get", "200", "UserPage"),
        ("/api/v1/admin/users", "post", "201", "UserCreated"),
        ("/api/v1/admin/api-tokens/{token_id}", "delete", "200", "TokenChanged"),
        ("/api/v1/admin/timetrack-keys", "post", "201", "KeyCreated"),
        ("/api/v1/users/me", "get", "200", "Me"),
        ("/api/v1/auth/login", "post", "200", "AppToken"),
        ("/login", "post", "200", "SignedIn"),
        ("/api/v1/webhooks", "get", "200", "WebhookPage"),
        ("/api/v1/webhooks/{webhook_id}", "delete", "200", "WebhookDeleted"),
        ("/api/v1/webhooks/{webhook_id}/test", "post", "202", "DeliveryQueued"),
    ]:
        ref = _schema(doc, path, method, status, "application/json")
        assert ref == {"$ref": f"#/components/schemas/{model}"}, (path, method, ref)
    assert set(schemas["UserPage"]["properties"]) == {"users", "pagination"}
    assert set(schemas["WebhookPage"]["properties"]) == {"webhooks", "pagination"}
    # Errors are the error body; pages are HTML; a refused form login is the page again.
    error = {"$ref": "#/components/schemas/ErrorBody"}
    assert _schema(doc, "/api/v1/webhooks", "post", "422", "application/json") == error
    assert _schema(doc, "/login", "get", "200", "text/html") == {"type": "string"}
    assert _schema(doc, "/admin/webhooks", "get", "200", "text/html") == {"type": "string"}
    assert _schema(doc, "/admin/webhooks", "get", "401", "application/json") == error
    assert _schema(doc, "/admin/api-tokens", "get", "403", "application/json") == error
    assert _schema(doc, "/login", "post", "401", "text/html") == {"type": "string"}
    assert "Location" in doc["paths"]["/login"]["post"]["responses"]["303"]["headers"]
    # The pages' own calls and the documentation itself are not the API.
    for path in ("/api/docs", "/api/openapi.json", "/admin/webhooks/list"):
        assert path not in doc["paths"], path
    assert "post" not in doc["paths"]["/admin/api-tokens"]


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
