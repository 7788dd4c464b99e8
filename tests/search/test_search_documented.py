"""Both search routes answer what the merged OpenAPI document says, with a result of
every kind in the answer (a fresh user's empty answer, what a fuzzer sees, shows no
result's shape) and for their error answers."""

from __future__ import annotations

from collections.abc import Iterator

from searchkit import Caller, Indexer, client, entry, project, task

from support.api import Users, token_client
from support.documented import assert_documented
from support.platform import PlatformInfo

V1, LEGACY = "/api/v1/search", "/api/search"


def test_answers_with_every_kind_match_the_document(
    indexer: Indexer, alice: Caller, unique: str, ids: Iterator[int]
) -> None:
    pid, tid = next(ids), next(ids)
    indexer.publish(
        project(pid, f"Website {unique}", description="Complete website overhaul"),
        task(tid, pid, f"Homepage {unique}", status="in_progress"),
        client(next(ids), f"Acme {unique}", email="office@acme.test"),
        entry(
            next(ids),
            alice.id,
            f"notes {unique}",
            project_id=pid,
            project=f"Website {unique}",
            task_id=tid,
            task=f"Homepage {unique}",
            tags="ux,web",
        ),
        entry(next(ids), alice.id, f"loose {unique}"),
    )
    body = assert_documented("GET", V1, alice.search(unique))
    assert [r["type"] for r in body["results"]] == ["project", "task", "client", "entry", "entry"]
    assert assert_documented("GET", LEGACY, alice.legacy(unique)) == body
    assert assert_documented("GET", LEGACY, alice.legacy("a"))["results"] == []


def test_error_answers_match_the_document(
    users: Users, platform: PlatformInfo, alice: Caller, unique: str
) -> None:
    for r in (alice.search("a"), alice.search(unique, limit=0), alice.search(unique, types="x")):
        assert r.status_code == 400
        assert_documented("GET", V1, r)
    assert alice.legacy(unique, types="x").status_code == 400
    assert_documented("GET", LEGACY, alice.legacy(unique, types="x"))
    assert_documented("GET", V1, alice.browser.get(V1, params={"q": unique}))  # 401
    assert_documented("GET", LEGACY, alice.user.api.get(LEGACY, params={"q": unique}))  # 401
    token, _ = users.token_for(alice.id, ["read:projects"])
    with token_client(platform.gateway_url, token) as narrow:
        refused = narrow.get(V1, params={"q": unique, "types": "entry"})
        assert refused.status_code == 403
        assert assert_documented("GET", V1, refused)["required_scope"] == "read:time_entries"
