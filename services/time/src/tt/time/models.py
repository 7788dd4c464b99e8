"""Every table of the time database, imported here so Alembic sees them all."""

from tt.common.consumer import ConsumedVersion
from tt.common.idempotency import IdempotencyRecord
from tt.common.outbox import OutboxRecord, ParkedOutboxRecord
from tt.time.approvals.models import Approval, ApprovalEntry
from tt.time.base import Base
from tt.time.clients.models import Client
from tt.time.contacts.models import Contact
from tt.time.crm.models import Deal, Lead
from tt.time.entries.models import EntryCount, TimeEntry, WorkTotal
from tt.time.imports.models import EntryImport
from tt.time.inventory.models import (
    StockItem,
    StockMovement,
    StockTransfer,
    Warehouse,
    WarehouseStock,
)
from tt.time.projects.models import Project
from tt.time.tasks.models import Task
from tt.time.timetrack.models import TimeTrackDetails
from tt.time.users.models import UserRecord

__all__ = [
    "Approval",
    "ApprovalEntry",
    "Base",
    "Client",
    "ConsumedVersion",
    "Contact",
    "Deal",
    "EntryCount",
    "EntryImport",
    "IdempotencyRecord",
    "Lead",
    "OutboxRecord",
    "ParkedOutboxRecord",
    "Project",
    "StockItem",
    "StockMovement",
    "StockTransfer",
    "Task",
    "TimeEntry",
    "TimeTrackDetails",
    "UserRecord",
    "Warehouse",
    "WarehouseStock",
    "WorkTotal",
]
