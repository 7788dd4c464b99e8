"""Rebuild the whole index from the compacted topics (``python -m tt.search.worker
--reindex``, which ``./dev reindex search`` runs): the live indexer's handlers replayed
in one transaction (``tt.common.rebuild``)."""

from __future__ import annotations

from tt.common.rebuild import ReadModel, RebuildSummary, rebuild
from tt.common.resources import Resources
from tt.search.consumers import ENTITIES, HANDLERS
from tt.search.documents.models import SearchDocument, SearchWord
from tt.search.documents.repository import remove_all_documents

INDEX = ReadModel(
    entities=ENTITIES,
    handlers=HANDLERS,
    tables=(SearchDocument.__tablename__, SearchWord.__tablename__),
    clear=remove_all_documents,
)


async def rebuild_index(resources: Resources) -> RebuildSummary:
    """Replace the index by what the topics hold now; returns what was done."""
    return await rebuild(resources, INDEX)
