"""The merged OpenAPI document (``/api/openapi.json``) describes every answer as it is, so
a client generated from it reads what the platform answers.

schemathesis loads the document from the gateway and runs every operation in it through
the gateway, checking that each answer matches the schema documented for its status
(``response_schema_conformance``) and that none is a 5xx (``not_a_server_error``). No
operation is left out: session routes get a browser session, ``/api/v2/ext`` a TimeTrack
key, sign-in routes the credentials of a user of their own, each as the document's
``security`` asks (``conformancekit``). Every operation has fresh credentials and
resources of its own, and cases reach nothing another test made.

Bounded and repeatable: a fixed seed, derandomized generation, the fuzzing phase with
``MAX_EXAMPLES`` cases per operation (positive and negative), no shrinking. The
coverage phase (some 40 more cases per operation) would not fit the suite's time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from http.cookiejar import DefaultCookiePolicy
from typing import Any

import pytest
import requests
import schemathesis
from conformancekit import Cast, Sandboxes
from contractkit import booking
from schemathesis import Case

from support.api import Users
from support.platform import PlatformInfo
from tt.devenv.layout import REPO
from tt.devenv.references import ISSUE_NUMBER, OUTSIDE_DOCUMENTS

CHECKS = ("response_schema_conformance", "not_a_server_error")
# What a client cannot follow: a path of some machine, a numbered seed of the reference.
ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])/(?:root|home|Users|work|tmp|var|opt|srv|mnt|etc|usr)/")
SEED_NUMBER = re.compile(r"\bseeds?\s+\d+", re.IGNORECASE)
MARKDOWN_FILE = re.compile(r"[\w./-]+\.md\b")
MAX_EXAMPLES = 15
CONFIG = {
    "seed": 21,
    "generation": {
        "deterministic": True,
        "max-examples": MAX_EXAMPLES,
        "no-shrink": True,
        "database": "none",
        # The edge refuses NUL in any string (400): positive cases would never be valid.
        "allow-x00": False,
        # Credentials come from the sandbox, not from generated security parameters.
        "with-security-parameters": False,
    },
    "phases": {
        "stateful": {"enabled": False},
        "coverage": {"enabled": False, "unexpected-methods": []},
    },
    # Nothing kept between runs: a run must not start from an earlier run's failures.
    "cache": {"enabled": False},
    "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
}


@pytest.fixture(scope="module")
def merged_document(platform: PlatformInfo) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict({**CONFIG, "base-url": platform.gateway_url})
    return schemathesis.openapi.from_url(platform.gateway_url + "/api/openapi.json", config=config)


@pytest.fixture(scope="module")
def sandboxes(platform: PlatformInfo) -> Iterator[Sandboxes]:
    cast = Cast(platform.gateway_url, platform.admin_token)
    boxes = Sandboxes(cast, platform.service_url("auth"))
    yield boxes
    boxes.close()
    cast.close()


@pytest.fixture(scope="module")
def transport() -> Iterator[requests.Session]:
    """One connection pool for every case; it keeps no cookie an answer sets, so a case
    carries only the credentials its sandbox gives it."""
    with requests.Session() as session:
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        yield session


@pytest.fixture(autouse=True)
def _node_id(request: pytest.FixtureRequest) -> None:
    # schemathesis 4.32 names each operation's subtest through ``item._nodeid``, which
    # pytest 9 no longer has.
    request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("merged_document")


@schema.parametrize()
def test_every_answer_is_as_documented(
    case: Case, sandboxes: Sandboxes, transport: requests.Session
) -> None:
    box = sandboxes.for_operation(case.operation.label)
    response = case.call(session=transport, **box.prepare(case))
    box.answered(case, response)
    case.validate_response(response)


def test_a_completed_import_is_as_documented(
    merged_document: schemathesis.BaseSchema, users: Users
) -> None:
    """The answer no generated case reaches (a random body is never a CSV of the caller's
    own project): a completed import, and the job it names."""
    user = users.create()
    project = booking(user.api).project["id"]
    csv = f"project_id,start_time,end_time\n{project},2024-03-05T09:00:00Z,2024-03-05T10:00:00Z\n"
    r = user.api.post(
        "/api/v1/time-entries/import-csv", content=csv, headers={"Content-Type": "text/csv"}
    )
    assert r.status_code == 200, r.text
    merged_document["/api/v1/time-entries/import-csv"]["POST"].validate_response(r)
    job = user.api.get(r.headers["Location"])
    merged_document["/api/v1/imports/{import_id}"]["GET"].validate_response(job)


def test_every_json_answer_has_a_schema(merged_document: schemathesis.BaseSchema) -> None:
    """A JSON answer documented with an empty schema (``{}``) passes every check and
    tells a client nothing: each one names its shape."""
    unnamed = [
        f"{method.upper()} {path} {status}"
        for path, item in merged_document.raw_schema["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict)
        for status, answer in operation.get("responses", {}).items()
        if answer.get("content", {}).get("application/json", {"schema": None})["schema"] == {}
    ]
    assert not unnamed, "JSON answers without a schema:\n" + "\n".join(unnamed)


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def test_the_document_names_nothing_outside_the_repository(
    merged_document: schemathesis.BaseSchema,
) -> None:
    """The document cites only what its reader can open: documents of the repository,
    never the team's notes, an issue or seed number, or a path of some machine."""
    problems = [
        f"{found.group(0)!r} in {text[:80]!r}"
        for text in _strings(merged_document.raw_schema)
        for pattern in (OUTSIDE_DOCUMENTS, ISSUE_NUMBER, ABSOLUTE_PATH, SEED_NUMBER)
        for found in pattern.finditer(text)
    ]
    problems += [
        f"{found.group(0)!r} is not a file of the repository"
        for text in _strings(merged_document.raw_schema)
        for found in MARKDOWN_FILE.finditer(text)
        if not (REPO / found.group(0)).is_file()
    ]
    assert not problems, "\n".join(problems)
