"""Every table of the auth database, imported here so Alembic sees them all."""

from tt.auth.base import Base
from tt.auth.releases.models import DismissedRelease
from tt.auth.timetrack.models import TimeTrackKey
from tt.auth.tokens.models import ApiToken
from tt.auth.users.models import User
from tt.common.consumer import ConsumedVersion
from tt.common.outbox import OutboxRecord, ParkedOutboxRecord

__all__ = [
    "ApiToken",
    "Base",
    "ConsumedVersion",
    "DismissedRelease",
    "OutboxRecord",
    "ParkedOutboxRecord",
    "TimeTrackKey",
    "User",
]
