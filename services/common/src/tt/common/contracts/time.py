"""What the time service publishes: clients, projects, tasks, time entries, approvals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from tt.common.contracts import Entity, EventState, Id, Instant

Money = Decimal | None


class ClientState(EventState):
    id: Id
    name: str
    email: str | None
    company: str | None
    phone: str | None
    address: str | None
    contact_person: str | None
    description: str | None
    default_hourly_rate: Money = Field(description="a JSON number or null")
    currency: str | None
    status: str = Field(description='"active" | "inactive" | "archived"')
    is_active: bool
    created_at: Instant | None
    updated_at: Instant | None


class ProjectState(EventState):
    id: Id
    name: str
    code: str | None
    description: str | None
    client_id: Id | None
    client: str | None = Field(description="the client's name")
    billable: bool
    hourly_rate: Money
    estimated_hours: Decimal | None
    budget_amount: Money
    currency: str | None
    status: str = Field(description='"active" | "inactive" | "on_hold" | "archived" | "completed"')
    is_archived: bool
    created_at: Instant | None
    updated_at: Instant | None


class TaskState(EventState):
    id: Id
    project_id: Id
    project: str | None = Field(description="the project's name")
    name: str
    description: str | None
    status: str = Field(description='"todo" | "in_progress" | "review" | "done" | "cancelled"')
    priority: str | None = Field(description='"low" | "medium" | "high" | "urgent"')
    assigned_to: Id | None
    due_date: date | None
    estimated_hours: Decimal | None
    tags: str | None = Field(description="a comma-separated string")
    created_by: Id | None
    created_at: Instant | None
    updated_at: Instant | None
    completed_at: Instant | None


class TimeEntryState(EventState):
    id: Id
    user_id: Id
    user: str | None = Field(description="the owner's username")
    project_id: Id | None
    project: str | None = Field(description="the project's name")
    client_id: Id | None
    client: str | None = Field(description="the client's name")
    task_id: Id | None
    task: str | None = Field(description="the task's name")
    start_time: Instant
    end_time: Instant | None = Field(description="null while the timer runs")
    duration_seconds: int | None = Field(description="null while running; breaks excluded")
    break_seconds: int
    paused_at: Instant | None
    notes: str | None
    tags: str | None = Field(description="a comma-separated string")
    billable: bool
    paid: bool
    source: str | None = Field(description='"manual" | "auto"')
    is_active: bool
    approval_status: str | None = Field(description='null | "pending" | "approved" | "rejected"')
    created_at: Instant | None
    updated_at: Instant | None


class ApprovalState(EventState):
    id: Id
    user_id: Id
    requested_by: Id | None
    entry_ids: list[Id]
    status: str = Field(description='"pending" | "approved" | "rejected"')
    comment: str | None
    decided_by: Id | None
    requested_at: Instant | None
    decided_at: Instant | None


CLIENT = Entity("client", "tt.time.clients", ClientState, "A client of the organisation.")
CLIENT_CREATED = CLIENT.event_type("tt.client.created", "A client was created.")
CLIENT_UPDATED = CLIENT.event_type("tt.client.updated", "A client changed.")
CLIENT_DELETED = CLIENT.event_type("tt.client.deleted", "A client was deleted (the last state).")

PROJECT = Entity("project", "tt.time.projects", ProjectState, "A project time is tracked on.")
PROJECT_CREATED = PROJECT.event_type("tt.project.created", "A project was created.")
PROJECT_UPDATED = PROJECT.event_type("tt.project.updated", "A project changed.")
PROJECT_STATUS_CHANGED = PROJECT.event_type(
    "tt.project.status_changed",
    "A project's status moved (including the archive `DELETE` performs).",
)
PROJECT_DELETED = PROJECT.event_type(
    "tt.project.deleted", "A project was deleted (the last state)."
)

TASK = Entity("task", "tt.time.tasks", TaskState, "A task of a project.")
TASK_CREATED = TASK.event_type("tt.task.created", "A task was created.")
TASK_UPDATED = TASK.event_type("tt.task.updated", "A task changed.")
TASK_COMPLETED = TASK.event_type("tt.task.completed", "A task's status moved to `done`.")
TASK_DELETED = TASK.event_type("tt.task.deleted", "A task was deleted (the last state).")

TIME_ENTRY = Entity("time_entry", "tt.time.entries", TimeEntryState, "A time entry.")
TIME_ENTRY_CREATED = TIME_ENTRY.event_type(
    "tt.time_entry.created", "An entry was created (API or import)."
)
TIME_ENTRY_UPDATED = TIME_ENTRY.event_type("tt.time_entry.updated", "An entry changed.")
TIME_ENTRY_DELETED = TIME_ENTRY.event_type(
    "tt.time_entry.deleted", "An entry was deleted (the last state)."
)
TIME_ENTRY_TIMER_STARTED = TIME_ENTRY.event_type(
    "tt.time_entry.timer_started", "A timer started an entry."
)
TIME_ENTRY_TIMER_STOPPED = TIME_ENTRY.event_type(
    "tt.time_entry.timer_stopped", "A running entry stopped."
)
TIME_ENTRY_TIMER_PAUSED = TIME_ENTRY.event_type(
    "tt.time_entry.timer_paused", "A running entry paused."
)
TIME_ENTRY_TIMER_RESUMED = TIME_ENTRY.event_type(
    "tt.time_entry.timer_resumed", "A paused entry resumed."
)

APPROVAL = Entity("approval", "tt.time.approvals", ApprovalState, "A time-entry approval.")
APPROVAL_CREATED = APPROVAL.event_type("tt.approval.created", "Approval of entries was requested.")
APPROVAL_UPDATED = APPROVAL.event_type(
    "tt.approval.updated", "An approval was approved or rejected."
)

ENTITIES = (CLIENT, PROJECT, TASK, TIME_ENTRY, APPROVAL)
