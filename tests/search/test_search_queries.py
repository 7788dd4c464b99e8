"""Query parameters and answers: the seed's shape, limits per category, type filters,
and bad input (short, huge, tsquery or SQL syntax, bad limits and types): a 400 with
the contract's error body, or clamped, never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from searchkit import Caller, Indexer, client, entry, project, task

from support.api import Users, assert_error, mint_identity, token_client
from support.platform import PlatformInfo


@pytest.fixture
def one_of_each(indexer: Indexer, alice: Caller, unique: str, ids: Iterator[int]) -> str:
    pid = next(ids)
    indexer.publish(
        project(pid, f"Website {unique}", description="Complete website overhaul"),
        task(next(ids), pid, f"Homepage {unique}", status="in_progress"),
        client(next(ids), f"Acme {unique}", company="Acme Corporation"),
        entry(next(ids), alice.id, f"notes {unique}"),
    )
    return unique


def test_the_answer_has_the_seeds_shape(alice: Caller, one_of_each: str) -> None:
    r = alice.search(f"  {one_of_each} ")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) == {"results", "query", "count"}
    assert body["query"] == one_of_each
    assert body["count"] == len(body["results"]) == 4
    assert [item["type"] for item in body["results"]] == ["project", "task", "client", "entry"]
    for item in body["results"]:
        assert set(item) == {"type", "category", "id", "title", "description", "url", "badge"}
        assert item["category"] == item["type"]
        assert isinstance(item["id"], int)
    project_hit = body["results"][0]
    assert project_hit["description"] == "Complete website overhaul"
    assert project_hit["url"] == f"/projects/{project_hit['id']}"
    assert project_hit["badge"] == "Project"


def test_types_filter_and_validation(alice: Caller, one_of_each: str) -> None:
    assert [t for t, _ in alice.found(one_of_each, types="project,task")] == ["project", "task"]
    assert [t for t, _ in alice.found(one_of_each, types=" Entry , CLIENT ,")] == [
        "client",
        "entry",
    ]
    assert len(alice.found(one_of_each, types="")) == 4
    for bad in ("projects", "project,user", "*", "project;drop"):
        body = assert_error(alice.search(one_of_each, types=bad), 400, "validation_error")
        assert "types" in body["errors"]


def test_limit_is_per_category_defaults_to_10_and_is_clamped_to_50(
    indexer: Indexer, alice: Caller, unique: str, ids: Iterator[int]
) -> None:
    indexer.publish(
        *(project(next(ids), f"{unique} {n}") for n in range(55)),
        *(client(next(ids), f"{unique} {n}") for n in range(3)),
    )
    assert [t for t, _ in alice.found(unique)] == ["project"] * 10 + ["client"] * 3
    assert [t for t, _ in alice.found(unique, limit=2)] == ["project"] * 2 + ["client"] * 2
    assert len(alice.found(unique, limit=1000, types="project")) == 50
    assert len(alice.found(unique, limit=10**30, types="project")) == 50


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "1.5", "", "1e3"])
def test_a_limit_that_is_not_a_positive_integer_is_400(alice: Caller, limit: str) -> None:
    body = assert_error(alice.search("anything", limit=limit), 400, "validation_error")
    assert "limit" in body["errors"]
    assert_error(alice.legacy("anything", limit=limit), 400, "validation_error")


@pytest.mark.parametrize("q", [None, "", "a", " a ", "\t\n"])
def test_v1_refuses_a_short_query_and_legacy_answers_it_empty(alice: Caller, q: str | None) -> None:
    body = assert_error(alice.search(q), 400, "validation_error")
    assert "q" in body["errors"]
    legacy = alice.legacy(q)
    assert legacy.status_code == 200
    assert legacy.json() == {"results": [], "query": (q or "").strip(), "count": 0}


@pytest.mark.parametrize("q", ["\x00", "\x00\x00ab", "ab\x00cd"])
def test_a_nul_in_the_query_is_400_on_both_routes(alice: Caller, q: str) -> None:
    # Text no database can store is refused at every service's edge (tests/security).
    assert "q" in assert_error(alice.search(q), 400, "validation_error")["errors"]
    assert "q" in assert_error(alice.legacy(q), 400, "validation_error")["errors"]


def test_a_huge_query_is_400_not_a_slow_search(alice: Caller) -> None:
    for size in (201, 10 * 1024, 60 * 1024):
        body = assert_error(alice.search("x" * size), 400, "validation_error")
        assert "at most 200" in body["errors"]["q"][0]
        assert_error(alice.legacy("x" * size), 400, "validation_error")
    assert alice.search("x" * 200).status_code == 200


@pytest.mark.parametrize(
    "q",
    [
        "''",
        "a'b",
        "&&",
        "a & b",
        "a | b",
        "!a",
        "a:*",
        ":*",
        "a <-> b",
        "(a",
        "\\\\",
        "a\\",
        "%%",
        "_%",
        "__",
        "a_b_c",
        "\U0010ffff\U0010ffff",
        "' OR 1=1 --",
        "'; DROP TABLE search_documents; --",
        "日本語",
        "🙂🙂",
    ],
)
def test_query_syntax_is_just_text(alice: Caller, q: str) -> None:
    r = alice.search(q)
    assert r.status_code == 200, r.text
    assert isinstance(r.json()["results"], list)
    assert alice.legacy(q).status_code == 200


def test_special_characters_match_literally(
    indexer: Indexer, alice: Caller, unique: str, ids: Iterator[int]
) -> None:
    pid, other = next(ids), next(ids)
    indexer.publish(project(pid, f"R&D 100%_{unique}"), project(other, f"RxD 100ab{unique}"))
    # Both are similar (trigrams), but only one holds the text: it comes first.
    assert alice.found(f"100%_{unique}")[0] == ("project", pid)
    assert alice.found(f"R&D 100%_{unique}")[0] == ("project", pid)


def test_v1_needs_a_token_with_read_projects(
    users: Users, platform: PlatformInfo, anonymous: httpx.Client, alice: Caller, one_of_each: str
) -> None:
    assert_error(anonymous.get("/api/v1/search", params={"q": one_of_each}), 401, "unauthorized")
    token, _ = users.token_for(alice.id, ["read:tasks", "write:projects"])
    with token_client(platform.gateway_url, token) as narrow:
        body = assert_error(
            narrow.get("/api/v1/search", params={"q": one_of_each}), 403, "forbidden"
        )
    assert body["required_scope"] == "read:projects"
    assert sorted(body["available_scopes"]) == ["read:tasks", "write:projects"]
    # A browser session is not a token (docs/api.md §1).
    assert_error(
        alice.browser.get("/api/v1/search", params={"q": one_of_each}), 401, "unauthorized"
    )


def test_legacy_search_takes_a_session_answers_like_v1_and_is_deprecated(
    alice: Caller, one_of_each: str
) -> None:
    legacy = alice.legacy(one_of_each)
    v1 = alice.search(one_of_each)
    assert legacy.status_code == 200
    assert legacy.json() == v1.json()
    assert legacy.headers["X-API-Deprecated"] == "true"
    assert legacy.headers["Link"] == '</api/v1/search>; rel="successor-version"'
    assert legacy.headers["Deprecation"].startswith("@")
    assert legacy.headers["Sunset"].endswith("GMT")
    assert "X-API-Deprecated" not in v1.headers
    # A token is refused on the legacy route.
    assert_error(alice.user.api.get("/api/search", params={"q": one_of_each}), 401, "unauthorized")


def test_the_service_itself_trusts_only_a_signed_identity(
    platform: PlatformInfo, search_url: str, one_of_each: str
) -> None:
    """Reached around the gateway: no identity, a forged or expired one is 401; the
    service checks the scope and, on the legacy route, the session itself."""
    key = platform.secrets["identity_private_key"]
    params = {"q": one_of_each}
    with httpx.Client(base_url=search_url, timeout=10) as direct:
        assert_error(direct.get("/api/v1/search", params=params), 401, "unauthorized")
        for bad in ("not-a-token", mint_identity(key, ttl=-120)):
            response = direct.get("/api/v1/search", params=params, headers={"X-TT-Identity": bad})
            assert_error(response, 401, "unauthorized")
        narrow = {"X-TT-Identity": mint_identity(key, scopes=["read:tasks"])}
        assert_error(direct.get("/api/v1/search", params=params, headers=narrow), 403, "forbidden")
        token = {"X-TT-Identity": mint_identity(key, auth_method="token")}
        assert_error(direct.get("/api/search", params=params, headers=token), 401, "unauthorized")
        session = {"X-TT-Identity": mint_identity(key, auth_method="session")}
        assert direct.get("/api/search", params=params, headers=session).status_code == 200
