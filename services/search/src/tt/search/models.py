"""Every table of the search database, imported here so Alembic sees them all."""

from tt.common.consumer import ConsumedVersion
from tt.common.outbox import OutboxRecord, ParkedOutboxRecord
from tt.search.base import Base
from tt.search.documents.models import SearchDocument, SearchWord

__all__ = [
    "Base",
    "ConsumedVersion",
    "OutboxRecord",
    "ParkedOutboxRecord",
    "SearchDocument",
    "SearchWord",
]
