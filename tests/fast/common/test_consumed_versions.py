"""The consumer's version ledger (``consumed_versions``): an event applies only if its
version is newer than the last one applied for its entity, whether the events come one
at a time or as a batch, in any order, with duplicates."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tt.common.consumer import claim_version, claim_versions
from tt.common.events import Event, make_event


def change(entity_id: str, version: int, entity: str = "widget") -> Event:
    return make_event(
        source="/tt/test",
        entity=entity,
        verb="updated",
        entity_id=entity_id,
        version=version,
        state={"id": entity_id},
    )


async def ledger(session: AsyncSession) -> dict[tuple[str, str], int]:
    rows = await session.execute(text("SELECT entity, entity_id, version FROM consumed_versions"))
    return {(entity, entity_id): version for entity, entity_id, version in rows}


async def test_one_at_a_time_only_a_newer_version_applies(session: AsyncSession) -> None:
    assert await claim_version(session, change("a", 2))
    assert not await claim_version(session, change("a", 2))  # a redelivery
    assert not await claim_version(session, change("a", 1))  # an older change, late
    assert await claim_version(session, change("a", 5))  # versions may skip
    assert await ledger(session) == {("widget", "a"): 5}


async def test_a_batch_applies_each_entitys_newer_versions_in_order(session: AsyncSession) -> None:
    assert await claim_version(session, change("a", 3))
    batch = [
        change("a", 2),  # older than the ledger's 3
        change("a", 4),
        change("b", 1),
        change("a", 4),  # the same change twice in one batch
        change("b", 3),
        change("b", 2),  # older than the b:3 just before it
        change("a", 1, entity="other"),  # another entity with the same id
    ]
    assert await claim_versions(session, batch) == [False, True, True, False, True, False, True]
    assert await ledger(session) == {("widget", "a"): 4, ("widget", "b"): 3, ("other", "a"): 1}


async def test_a_batch_of_nothing_new_writes_nothing(session: AsyncSession) -> None:
    await claim_versions(session, [change("a", 7)])
    assert await claim_versions(session, [change("a", 7), change("a", 6)]) == [False, False]
    assert await ledger(session) == {("widget", "a"): 7}


async def test_each_test_starts_from_an_empty_ledger(session: AsyncSession) -> None:
    # The tests above claimed versions of "a"; each ran in a transaction rolled back after it.
    assert await ledger(session) == {}
