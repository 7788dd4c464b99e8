"""Answers checked against the merged OpenAPI document (the committed one auth serves at
/api/openapi.json): the status must be documented for the operation, the media type for
that status, and a JSON body must match the schema given for it."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import httpx
from jsonschema import Draft202012Validator

DOCUMENT = Path(__file__).resolve().parents[2] / "services/auth/src/tt/auth/docs/openapi.json"


@functools.cache
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DOCUMENT.read_text())
    return loaded


def assert_documented(method: str, template: str, response: httpx.Response) -> Any:
    """Fail unless ``response`` is what the document says ``method template`` answers
    with its status; returns the decoded JSON body (None for other media types)."""
    answers = document()["paths"][template][method.lower()]["responses"]
    status = str(response.status_code)
    what = f"{method} {template} answered {status}"
    assert status in answers, f"{what}, documented: {sorted(answers)}"
    media = response.headers.get("content-type", "").split(";")[0].strip()
    content = answers[status].get("content", {})
    assert media in content, f"{what} as {media!r}, documented: {sorted(content)}"
    if media != "application/json":
        return None
    body = response.json()
    schema = {**content[media]["schema"], "components": document()["components"]}
    errors = sorted(Draft202012Validator(schema).iter_errors(body), key=str)
    assert not errors, f"{what} unlike its document: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]
    )
    return body
