"""docs/api.md §9 (``GET /api/v1/info``) and §6 (routes): every path the info answer advertises
in ``endpoints`` is served through the gateway (none is a 404), so an app that follows the
map never meets a dead link."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
from contractkit import ok

from support.api import User

# Advertised routes that only take POST (the map does not say which method a path takes).
POST_ONLY = {
    "/api/v1/auth/login",
    "/api/v1/timer/start",
    "/api/v1/timer/stop",
    "/api/v1/timer/pause",
    "/api/v1/timer/resume",
}


def _paths(endpoints: dict[str, Any]) -> Iterator[str]:
    for value in endpoints.values():
        if isinstance(value, dict):
            yield from _paths(value)
        else:
            assert isinstance(value, str), value
            yield value


def test_every_advertised_endpoint_is_served(anonymous: httpx.Client, admin_user: User) -> None:
    info = ok(anonymous.get("/api/v1/info"))
    assert info["api_version"] == "v1"
    assert info["documentation_url"] == "/api/docs"
    assert info["setup_required"] is False
    paths = list(_paths(info["endpoints"]))
    assert "/api/v1/time-entries" in paths
    client = admin_user.api.post("/api/v1/clients", json={"name": "Info client"})
    client_id = client.json()["client"]["id"]
    for path in paths:
        assert path.startswith("/api/v1/"), path
        concrete = path.replace("<client_id>", str(client_id))
        method = "POST" if path in POST_ONLY else "GET"
        r = admin_user.api.request(method, concrete)
        assert r.status_code not in (404, 405), (method, path, r.status_code, r.text[:200])
        assert r.status_code < 500, (method, path, r.status_code, r.text[:200])
    docs = anonymous.get(info["documentation_url"])
    assert docs.status_code == 200, docs.status_code
