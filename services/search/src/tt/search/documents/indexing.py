"""What each consumed entity becomes in the search table (pure: state in, row out).

The fields each event carries are fixed in ``docs/events.md``; only those are
read. What is searched follows the reference product: projects and tasks by name and
description, clients by name, email and company, time entries by notes and tags.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# Kafka entity name -> the ``type``/``category`` a search result carries.
KIND_OF_ENTITY: dict[str, str] = {
    "project": "project",
    "task": "task",
    "client": "client",
    "time_entry": "entry",
}
KINDS: tuple[str, ...] = ("project", "task", "client", "entry")


class InvalidState(ValueError):
    """The event's state lacks what docs/events.md promises; the event goes to the DLQ."""


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


def _text(value: Any) -> str:
    # PostgreSQL text cannot hold NUL; JSON can.
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = ",".join(str(v) for v in value)
    return str(value).replace("\x00", "")


def _optional_text(value: Any) -> str | None:
    return _text(value) or None


def _status(value: Any) -> str | None:
    # Statuses are short enum values; anything longer is not one (the column is 32 wide).
    status = _optional_text(value)
    return status[:32] if status else None


def _int64(value: Any, what: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise InvalidState(f"{what} is not an integer: {value!r}") from exc
    if not -(2**63) <= number < 2**63:
        raise InvalidState(f"{what} is out of range: {value!r}")
    return number


def entity_id_of(subject: str) -> int:
    """The entity id an event's ``subject`` carries."""
    return _int64(subject, "subject")


def _optional_int(state: Mapping[str, Any], field: str) -> int | None:
    value = state.get(field)
    return None if value is None else _int64(value, field)


def _required(state: Mapping[str, Any], field: str) -> Any:
    if state.get(field) is None:
        raise InvalidState(f"the event's state has no {field}")
    return state[field]


def _timestamp(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidState(f"not an ISO 8601 datetime: {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def project_document(entity_id: int, state: Mapping[str, Any]) -> Document:
    name = _text(_required(state, "name"))
    description = _text(state.get("description"))
    # DELETE archives; an archived project is never "active", whatever status says.
    status = "archived" if state.get("is_archived") else _status(state.get("status"))
    return Document(
        kind="project",
        entity_id=entity_id,
        title=name,
        description=description,
        status=status,
        text_a=name,
        text_c=description,
    )


def task_document(entity_id: int, state: Mapping[str, Any]) -> Document:
    name = _text(_required(state, "name"))
    return Document(
        kind="task",
        entity_id=entity_id,
        title=name,
        status=_status(state.get("status")),
        project_id=_optional_int(state, "project_id"),
        project_name=_optional_text(state.get("project")),
        text_a=name,
        text_c=_text(state.get("description")),
    )


def client_document(entity_id: int, state: Mapping[str, Any]) -> Document:
    name = _text(_required(state, "name"))
    company = _text(state.get("company"))
    email = _text(state.get("email"))
    return Document(
        kind="client",
        entity_id=entity_id,
        title=name,
        description=company or email,
        status=_status(state.get("status")),
        text_a=name,
        text_b=f"{company} {email}".strip(),
    )


def entry_document(entity_id: int, state: Mapping[str, Any]) -> Document:
    notes = _text(state.get("notes"))
    tags = _text(state.get("tags"))
    owner = _optional_int(state, "user_id")
    if owner is None:
        raise InvalidState("the event's state has no user_id")
    return Document(
        kind="entry",
        entity_id=entity_id,
        description=notes[:100] + (f" [{tags}]" if tags else ""),
        project_id=_optional_int(state, "project_id"),
        project_name=_optional_text(state.get("project")),
        task_id=_optional_int(state, "task_id"),
        task_name=_optional_text(state.get("task")),
        owner_id=owner,
        duration_seconds=_optional_int(state, "duration_seconds"),
        is_running=state.get("end_time") is None,
        started_at=_timestamp(state.get("start_time")),
        text_a=notes,
        text_b=tags,
    )


BUILDERS: dict[str, Callable[[int, Mapping[str, Any]], Document]] = {
    "project": project_document,
    "task": task_document,
    "client": client_document,
    "time_entry": entry_document,
}


def document_for(entity: str, entity_id: int, state: Mapping[str, Any]) -> Document:
    """The search row for one entity's state (``entity`` as events name it)."""
    return BUILDERS[entity](entity_id, state)
