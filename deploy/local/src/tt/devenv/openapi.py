"""One OpenAPI document for everything the gateway serves, merged from every service's own.

Generated at build time (``./dev openapi``), never on the request path, and committed:
``./dev openapi --check`` (run by the test suite) fails when it is stale. auth serves it
at ``/api/openapi.json`` under Swagger UI at ``/api/docs``.
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tt.devenv.layout import REPO
from tt.devenv.procs import run
from tt.devenv.services import SERVICES

OUTPUT = REPO / "services" / "auth" / "src" / "tt" / "auth" / "docs" / "openapi.json"

# Routes that exist on services but are not part of the public, gateway-routed API.
PRIVATE_PREFIXES = ("/internal/", "/_gateway/", "/healthz", "/readyz", "/metrics")

SECURITY_SCHEMES = {
    "bearerToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "API token: `tt_` followed by 32 characters",
    },
    "apiKeyHeader": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "The same API token, in the X-API-Key header",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "tt_session",
        "description": "Browser session from POST /login; unsafe methods also need "
        "the X-CSRF-Token header",
    },
    "timetrack": {
        "type": "apiKey",
        "in": "header",
        "name": "X-TimeTrack-Api-Key",
        "description": "TimeTrack-compatible key; send X-TimeTrack-Api-Secret too",
    },
    "timetrackSecret": {
        "type": "apiKey",
        "in": "header",
        "name": "X-TimeTrack-Api-Secret",
        "description": "The secret of the TimeTrack key, shown once when the key is made",
    },
}


def service_document(name: str) -> dict[str, Any]:
    """The OpenAPI document of one service's app, built without starting it, in a process
    of its own (each service has its own tables; one process must not load two)."""
    # auth's app is an ASGI wrapper (verify ahead of FastAPI) that holds the FastAPI app.
    script = (
        f"import json; from tt.{name}.main import create_app; app = create_app(); "
        "app = app if hasattr(app, 'openapi') else app.app; "
        "print(json.dumps(app.openapi()))"
    )
    result = run(
        [sys.executable, "-c", script],
        what=f"{name} OpenAPI document",
        # A fixed hash seed: a route serving PUT and PATCH keeps its methods in a set, and
        # the set's order (which method comes first, and the operationId made from it)
        # must not change from one run to the next, or --check fails at random.
        env={"TT_ENV": "dev", "TT_OTEL_INSTRUMENT": "false", "PYTHONHASHSEED": "0"},
        cwd=REPO,
    )
    doc: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return doc


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                name = value.rsplit("/", 1)[-1]
                out[key] = f"#/components/schemas/{renames.get(name, name)}"
            else:
                out[key] = _rename_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rename_refs(v, renames) for v in node]
    return node


def merged_document(version: str = "0.1.0") -> dict[str, Any]:
    """Every public path of every service; schema names that clash get a service prefix."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    tags = []
    with ThreadPoolExecutor(len(SERVICES)) as pool:
        docs = list(pool.map(service_document, [s.name for s in SERVICES]))
    for spec, doc in zip(SERVICES, docs, strict=True):
        own = doc.get("components", {}).get("schemas", {})
        renames = {
            name: f"{spec.name.capitalize()}{name}"
            for name, schema in own.items()
            if name in schemas and schemas[name] != schema
        }
        for name, schema in own.items():
            schemas[renames.get(name, name)] = _rename_refs(schema, renames)
        for path, item in doc.get("paths", {}).items():
            if path.startswith(PRIVATE_PREFIXES):
                continue
            item = _rename_refs(item, renames)
            for operation in item.values():
                if isinstance(operation, dict):
                    operation.setdefault("tags", [spec.name])
            paths.setdefault(path, {}).update(item)
        tags.append({"name": spec.name, "description": f"Served by the {spec.name} service"})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "tt API",
            "version": version,
            "description": "Every route the tt gateway serves. `/api/v1` takes API tokens "
            "(Bearer or X-API-Key); legacy `/api/...` dashboard routes take a "
            "browser session; `/api/v2/ext` is the TimeTrack-compatible API.",
        },
        "servers": [{"url": "/"}],
        "tags": tags,
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": SECURITY_SCHEMES,
        },
        "security": [{"bearerToken": []}, {"apiKeyHeader": []}],
    }


def render() -> str:
    # Characters as they are (not \u escapes), so the references lint reads the text a
    # client reads ("docs/api.md §5").
    return json.dumps(merged_document(), indent=1, sort_keys=False, ensure_ascii=False) + "\n"


def write(path: Path = OUTPUT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path


def is_current(path: Path = OUTPUT) -> bool:
    return path.exists() and path.read_text(encoding="utf-8") == render()
