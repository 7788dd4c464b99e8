"""Every table of the webhooks database, imported here so Alembic sees them all."""

from tt.common.consumer import ConsumedVersion
from tt.common.db import Base
from tt.common.outbox import OutboxRecord

__all__ = ["Base", "ConsumedVersion", "OutboxRecord"]
