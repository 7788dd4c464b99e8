"""Ranking: exact and prefix matches first, then full-text rank (names weigh more than
descriptions), then trigram similarity, so a typo still finds its word."""

from __future__ import annotations

import random
from collections.abc import Iterator

from searchkit import Caller, Indexer, entry, project


def _swap_middle(text: str) -> str:
    """A typo: two different neighbouring letters from the middle on, swapped (swapping
    two equal letters would give the word back)."""
    middle = len(text) // 2
    order = [*range(middle, len(text) - 1), *range(middle)]
    i = next(i for i in order if text[i] != text[i + 1])
    typo = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    assert typo != text
    return typo


def test_exact_then_prefix_then_full_text_then_typos(
    indexer: Indexer, alice: Caller, unique: str, ids: Iterator[int]
) -> None:
    exact, prefix, in_name, in_description, typo = (next(ids) for _ in range(5))
    indexer.publish(
        # Published in the reverse of the expected order, so insertion order cannot pass.
        project(typo, f"Tools {_swap_middle(unique)}"),
        project(in_description, "Plain", description=f"all about {unique}"),
        project(in_name, f"Tools {unique}"),
        project(prefix, f"{unique} tools"),
        project(exact, unique.upper()),
    )
    results = alice.results(unique)
    assert [r["id"] for r in results] == [exact, prefix, in_name, in_description, typo], results


def test_a_typo_still_finds_the_word(
    indexer: Indexer, alice: Caller, unique: str, ids: Iterator[int]
) -> None:
    # The highest ids win ties, so other projects named "project" cannot push this one out.
    pid = 9 * 10**12 + random.randint(1, 10**9)
    indexer.publish(project(pid, "Project Apollo"), project(next(ids), f"Project {unique}"))
    assert ("project", pid) in alice.found("projetc", types="project", limit=50)
    assert alice.found(_swap_middle(unique))[0][0] == "project"


def test_words_match_in_any_order_and_as_prefixes(
    indexer: Indexer, alice: Caller, unique: str, ids: Iterator[int]
) -> None:
    pid = next(ids)
    indexer.publish(project(pid, f"Website Redesign {unique}"))
    assert alice.found(f"redesign {unique} website")[0] == ("project", pid)
    assert alice.found(f"{unique[:6]} redes")[0] == ("project", pid)


def test_equal_entries_come_newest_first(
    indexer: Indexer, alice: Caller, unique: str, ids: Iterator[int]
) -> None:
    old, new, middle = next(ids), next(ids), next(ids)
    indexer.publish(
        entry(old, alice.id, f"standup {unique}", start_time="2026-01-01T09:00:00Z"),
        entry(new, alice.id, f"standup {unique}", start_time="2026-03-01T09:00:00Z"),
        entry(middle, alice.id, f"standup {unique}", start_time="2026-02-01T09:00:00Z"),
    )
    assert alice.found(unique) == [("entry", new), ("entry", middle), ("entry", old)]


def test_a_typo_in_each_word_of_a_query_still_finds_the_document(
    indexer: Indexer, alice: Caller, unique: str, ids: Iterator[int]
) -> None:
    # The typo is matched against the index's words, then searched by full text.
    pid, other = next(ids), next(ids)
    indexer.publish(project(pid, f"Quarterly {unique}"), project(other, f"Yearly {unique}x"))
    found = alice.found(f"quartelry {_swap_middle(unique)}", types="project", limit=50)
    assert ("project", pid) in found
    assert ("project", other) not in found


def test_two_words_find_only_documents_with_both(
    indexer: Indexer, alice: Caller, unique: str, ids: Iterator[int]
) -> None:
    both, first_only, second_only = next(ids), next(ids), next(ids)
    other = unique[::-1]
    indexer.publish(
        entry(both, alice.id, f"{unique} standup {other}"),
        entry(first_only, alice.id, f"{unique} standup"),
        entry(second_only, alice.id, f"standup {other}"),
    )
    assert alice.found(f"{other} {unique}") == [("entry", both)]


def test_among_many_matches_the_newest_entries_are_ranked(
    indexer: Indexer, alice: Caller, unique: str, ids: Iterator[int]
) -> None:
    # More matches than the ranked candidates (50): equal ones come newest first, and the
    # newest are among them whatever order the index holds them in.
    entries = [
        entry(next(ids), alice.id, f"review {unique}", start_time=f"2025-{m:02d}-{d:02d}T09:00:00Z")
        for m in range(1, 13)
        for d in range(1, 11)
    ]
    indexer.publish(*reversed(entries[60:]), *entries[:60])
    newest = [("entry", e.state["id"]) for e in reversed(entries[-10:])]
    assert alice.found(unique) == newest
