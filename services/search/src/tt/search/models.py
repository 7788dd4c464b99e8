"""Every table of the search database, imported here so Alembic sees them all."""

from tt.common.consumer import ConsumedVersion
from tt.common.db import Base
from tt.common.outbox import OutboxRecord
from tt.search.documents.models import SearchDocument

__all__ = ["Base", "ConsumedVersion", "OutboxRecord", "SearchDocument"]
