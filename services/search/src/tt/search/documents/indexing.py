"""What each consumed entity becomes in the search table (pure: state in, row out).

Each state is read through its contract's model (``tt.common.contracts.time``,
documented in ``docs/events.md``); one it rejects sends the event to the DLQ. What is
searched follows the reference product: projects and tasks by name and description,
clients by name, email and company, time entries by notes and tags.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from tt.common.contracts import Id, InvalidEventState
from tt.common.contracts.time import (
    CLIENT,
    PROJECT,
    TASK,
    TIME_ENTRY,
    ClientState,
    ProjectState,
    TaskState,
    TimeEntryState,
)
from tt.common.events import Event

# Kafka entity name -> the ``type``/``category`` a search result carries.
KIND_OF_ENTITY: dict[str, str] = {
    "project": "project",
    "task": "task",
    "client": "client",
    "time_entry": "entry",
}
KINDS: tuple[str, ...] = ("project", "task", "client", "entry")


@dataclass(frozen=True, slots=True)
class Document:
    """Every writable column of a search row; an update rewrites all of them."""

    kind: str
    entity_id: int
    title: str = ""
    description: str = ""
    status: str | None = None
    project_id: int | None = None
    project_name: str | None = None
    task_id: int | None = None
    task_name: str | None = None
    owner_id: int | None = None
    duration_seconds: int | None = None
    is_running: bool = False
    started_at: datetime | None = None
    text_a: str = ""
    text_b: str = ""
    text_c: str = ""

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


def _text(value: str | None) -> str:
    # PostgreSQL text cannot hold NUL; JSON can.
    return "" if value is None else value.replace("\x00", "")


def _optional_text(value: str | None) -> str | None:
    return _text(value) or None


def _status(value: str | None) -> str | None:
    # Statuses are short enum values; anything longer is not one (the column is 32 wide).
    status = _optional_text(value)
    return status[:32] if status else None


_ENTITY_ID = TypeAdapter(Id)


def entity_id_of(subject: str) -> int:
    """The entity id an event's ``subject`` carries."""
    try:
        return _ENTITY_ID.validate_python(subject)
    except ValueError as exc:
        raise InvalidEventState(f"the subject is not an entity id: {subject!r}") from exc


def project_document(entity_id: int, state: ProjectState) -> Document:
    name = _text(state.name)
    description = _text(state.description)
    # DELETE archives; an archived project is never "active", whatever status says.
    status = "archived" if state.is_archived else _status(state.status)
    return Document(
        kind="project",
        entity_id=entity_id,
        title=name,
        description=description,
        status=status,
        text_a=name,
        text_c=description,
    )


def task_document(entity_id: int, state: TaskState) -> Document:
    name = _text(state.name)
    return Document(
        kind="task",
        entity_id=entity_id,
        title=name,
        status=_status(state.status),
        project_id=state.project_id,
        project_name=_optional_text(state.project),
        text_a=name,
        text_c=_text(state.description),
    )


def client_document(entity_id: int, state: ClientState) -> Document:
    name = _text(state.name)
    company = _text(state.company)
    email = _text(state.email)
    return Document(
        kind="client",
        entity_id=entity_id,
        title=name,
        description=company or email,
        status=_status(state.status),
        text_a=name,
        text_b=f"{company} {email}".strip(),
    )


def entry_document(entity_id: int, state: TimeEntryState) -> Document:
    notes = _text(state.notes)
    tags = _text(state.tags)
    return Document(
        kind="entry",
        entity_id=entity_id,
        description=notes[:100] + (f" [{tags}]" if tags else ""),
        project_id=state.project_id,
        project_name=_optional_text(state.project),
        task_id=state.task_id,
        task_name=_optional_text(state.task),
        owner_id=state.user_id,
        duration_seconds=state.duration_seconds,
        is_running=state.end_time is None,
        started_at=state.start_time,
        text_a=notes,
        text_b=tags,
    )


def document_for(event: Event) -> Document:
    """The search row for the state an event carries (read through its contract)."""
    entity_id = entity_id_of(event.subject)
    if event.entity == PROJECT.name:
        return project_document(entity_id, PROJECT.read(event))
    if event.entity == TASK.name:
        return task_document(entity_id, TASK.read(event))
    if event.entity == CLIENT.name:
        return client_document(entity_id, CLIENT.read(event))
    return entry_document(entity_id, TIME_ENTRY.read(event))
