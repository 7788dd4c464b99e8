"""Synthetic events for Kafka, built as their producer would build them: through the
contract (``EventType.build``), so a test or bench cannot publish a state the consumers
refuse. A field the caller does not set is null where the contract allows it, else the
zero of its type."""

from __future__ import annotations

import functools
import typing
from datetime import UTC, datetime
from typing import Any

from tt.common.contracts import EventType
from tt.common.events import Event

_ZERO: dict[Any, Any] = {bool: False, int: 0, str: "", list: []}


@functools.cache
def _blank_state(event_type: EventType) -> dict[str, Any]:
    blank: dict[str, Any] = {}
    for name, info in event_type.entity.state.model_fields.items():
        annotation = info.annotation
        if typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        nullable = type(None) in typing.get_args(annotation)
        base = typing.get_origin(annotation) or annotation
        blank[name] = None if nullable else _ZERO.get(base, datetime.now(UTC).isoformat())
    return blank


def synthetic_event(event_type: EventType, entity_id: int, version: int = 1, **state: Any) -> Event:
    """The event of ``event_type`` for ``entity_id`` carrying ``state`` (and every field it
    leaves out, null or zero)."""
    full = {**_blank_state(event_type), "id": entity_id, **state}
    return event_type.build(source="/tt/test", entity_id=entity_id, version=version, state=full)
