"""The fuzz run over the merged OpenAPI document: every documented parameter and every
string property of every JSON body, on every operation, gets a NUL, an over-long string
and a string that is not valid UTF-8 (percent-encoded bytes in a URL, an unpaired
surrogate in JSON). Nothing may answer 5xx. Through the gateway, as an admin, with a
token whose limits are raised (about a thousand requests, all to 127.0.0.1).

The sign-in routes are left out: their attempts count per client address, and the
shared loopback address must not be locked out; tests/security/test_edge_input.py and
test_login_limits.py cover them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from support.api import TIMEOUT, Users, token_client

REPO = Path(__file__).resolve().parents[2]
DOCUMENT = REPO / "services/auth/src/tt/auth/docs/openapi.json"
SKIPPED_PATHS = {"/api/v1/auth/login", "/login", "/logout"}
METHODS = ("get", "post", "put", "patch", "delete")
UNKNOWN_ID = "999999999"

# (label, raw query value, JSON-encoded body value)
NASTY = [
    ("nul", "a%00b", '"a\\u0000b"'),
    ("long", "x" * 5000, json.dumps("y" * 100_000)),
    ("not-utf8", "%FF%FEa%C3", '"lone \\ud800 surrogate"'),
]


def _properties(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    props: dict[str, Any] = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        props.update(_properties(part, components))
    return props


def _is_stringish(schema: dict[str, Any]) -> bool:
    kinds = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
    return "string" in kinds or kinds <= {None}


def _fill(
    template: str, path_params: set[str], value: str | None = None, only: str | None = None
) -> str:
    """``template`` with an unknown id in every path parameter, ``value`` in ``only``."""
    path = template
    for name in path_params:
        chosen = value if (name == only and value is not None) else UNKNOWN_ID
        path = path.replace("{" + name + "}", chosen)
    return path


def _cases(document: dict[str, Any]) -> Iterator[tuple[str, str, str, bytes | None, str]]:
    """(method, url path with query, label, JSON body or None, what)."""
    components = document.get("components", {}).get("schemas", {})
    for template, item in document["paths"].items():
        if template in SKIPPED_PATHS:
            continue
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = op.get("parameters", [])
            path_params = {p["name"] for p in params if p.get("in") == "path"}

            for p in params:
                if p.get("in") == "query":
                    for label, raw, _ in NASTY:
                        yield (
                            method,
                            f"{_fill(template, path_params)}?{quote(p['name'])}={raw}",
                            label,
                            None,
                            p["name"],
                        )
                elif p.get("in") == "path" and _is_stringish(p.get("schema", {})):
                    for label, raw, _ in NASTY:
                        yield (
                            method,
                            _fill(template, path_params, raw, p["name"]),
                            label,
                            None,
                            p["name"],
                        )
            content = (op.get("requestBody") or {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if schema is None:
                continue
            for name, prop in _properties(schema, components).items():
                if not _is_stringish(prop):
                    continue
                for label, _, encoded in NASTY:
                    body = ("{" + json.dumps(name) + ": " + encoded + "}").encode()
                    yield method, _fill(template, path_params), label, body, name


def test_no_5xx_for_nasty_strings_in_any_parameter(gateway_url: str, users: Users) -> None:
    document = json.loads(DOCUMENT.read_text())
    admin = users.create(is_admin=True)
    token, _ = users.token_for(
        admin.id, ["admin:all"], rate_limit_per_minute=100_000, rate_limit_per_hour=1_000_000
    )
    failures: list[str] = []
    sent = 0
    with token_client(gateway_url, token) as api:
        api.timeout = TIMEOUT
        for method, url, label, body, what in _cases(document):
            headers = {"Content-Type": "application/json"} if body is not None else {}
            request = api.build_request(method.upper(), url, content=body, headers=headers)
            # Keep the percent-encoding exactly as written (httpx would re-encode %FF).
            request.url = request.url.copy_with(raw_path=url.encode())
            try:
                r = api.send(request)
            except httpx.HTTPError as exc:
                failures.append(f"{method.upper()} {url[:80]} [{label} {what}]: {exc!r}")
                continue
            sent += 1
            if r.status_code >= 500:
                failures.append(
                    f"{method.upper()} {url[:80]} [{label} {what}]: {r.status_code} {r.text[:200]}"
                )
    assert sent > 500, sent
    assert not failures, "\n".join(failures)
