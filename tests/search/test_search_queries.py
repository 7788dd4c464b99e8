"""Query parameters and answers: the seed's shape, limits per category, type filters,
and bad input (short, huge, tsquery or SQL syntax, bad limits and types): a 400 with
the contract's error body, or clamped, never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from searchkit import Caller, Indexer, client, entry, project, task

from support.api import assert_error


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


@pytest.mark.parametrize("q", [None, "", "a", " a ", "\t\n", "\x00"])
def test_v1_refuses_a_short_query_and_legacy_answers_it_empty(alice: Caller, q: str | None) -> None:
    body = assert_error(alice.search(q), 400, "validation_error")
    assert "q" in body["errors"]
    legacy = alice.legacy(q)
    assert legacy.status_code == 200
    assert legacy.json() == {"results": [], "query": (q or "").strip().strip("\x00"), "count": 0}


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
        "' OR 1=1 --",
        "'; DROP TABLE search_documents; --",
        "\x00\x00ab",
        "ab\x00cd",
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


def test_callers_need_a_valid_identity_and_the_read_projects_scope(
    search_url: str, alice: Caller, one_of_each: str
) -> None:
    anonymous = alice.http.get(search_url + "/api/v1/search", params={"q": one_of_each})
    assert_error(anonymous, 401, "unauthorized")
    forged = alice.http.get(
        search_url + "/api/v1/search",
        params={"q": one_of_each},
        headers={"X-TT-Identity": "not-a-token"},
    )
    assert_error(forged, 401, "unauthorized")
    alice.scopes = ["read:tasks", "write:projects"]
    body = assert_error(alice.search(one_of_each), 403, "forbidden")
    assert body["required_scope"] == "read:projects"
    assert body["available_scopes"] == ["read:tasks", "write:projects"]


def test_legacy_search_takes_a_session_and_answers_like_v1(alice: Caller, one_of_each: str) -> None:
    assert alice.legacy(one_of_each).json() == alice.search(one_of_each).json()
    token_caller = alice.http.get(
        alice.url + "/api/search", params={"q": one_of_each}, headers=alice.headers("token")
    )
    assert_error(token_caller, 401, "unauthorized")
