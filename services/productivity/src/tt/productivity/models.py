"""Every table of the productivity database, imported here so Alembic sees them all."""

from tt.common.consumer import ConsumedVersion
from tt.common.outbox import OutboxRecord, ParkedOutboxRecord
from tt.productivity.base import Base
from tt.productivity.readmodel.models import (
    ClientRecord,
    EntryRecord,
    ProjectRecord,
    UserDay,
    UserRateGroup,
    UserRecord,
)

__all__ = [
    "Base",
    "ClientRecord",
    "ConsumedVersion",
    "EntryRecord",
    "OutboxRecord",
    "ParkedOutboxRecord",
    "ProjectRecord",
    "UserDay",
    "UserRateGroup",
    "UserRecord",
]
