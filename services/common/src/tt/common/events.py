"""The CloudEvents 1.0 envelope every event travels in (docs/api.md §7).

``data`` is ``{"version": n, "<entity>": {full state}}``; ``subject`` is the entity id;
``type`` is ``tt.<entity>.<verb>``. The W3C ``traceparent`` rides along as an extension
attribute (and as a Kafka header, added by the relay).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from opentelemetry import propagate

from tt.common.responses import json_default

SPEC_VERSION = "1.0"


@dataclass(frozen=True, slots=True)
class Event:
    """A decoded CloudEvent."""

    id: str
    source: str
    type: str
    subject: str
    time: str
    data: dict[str, Any]
    traceparent: str | None = None

    @property
    def entity(self) -> str:
        """``tt.time_entry.created`` -> ``time_entry``."""
        return self.type.split(".")[1]

    @property
    def verb(self) -> str:
        return self.type.rsplit(".", 1)[1]

    @property
    def version(self) -> int:
        return int(self.data["version"])

    @property
    def state(self) -> dict[str, Any]:
        """The entity's full state carried by the event."""
        value = self.data[self.entity]
        assert isinstance(value, dict)
        return value

    def to_dict(self) -> dict[str, Any]:
        envelope: dict[str, Any] = {
            "specversion": SPEC_VERSION,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": self.time,
            "datacontenttype": "application/json",
            "data": self.data,
        }
        if self.traceparent:
            envelope["traceparent"] = self.traceparent
        return envelope

    def to_json(self) -> bytes:
        return orjson.dumps(
            self.to_dict(), default=json_default, option=orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC
        )


def current_traceparent() -> str | None:
    """The active span's W3C ``traceparent``, to carry the trace across Kafka."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def make_event(
    *,
    source: str,
    entity: str,
    verb: str,
    entity_id: object,
    version: int,
    state: dict[str, Any],
) -> Event:
    """Build the event for one change of one entity, in the current trace."""
    return Event(
        id=str(uuid.uuid4()),
        source=source,
        type=f"tt.{entity}.{verb}",
        subject=str(entity_id),
        time=datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"),
        data={"version": version, entity: state},
        traceparent=current_traceparent(),
    )


class MalformedEvent(ValueError):
    """The bytes on the topic are not one of our CloudEvents."""


def parse_event(raw: bytes) -> Event:
    """Decode a CloudEvent; raises MalformedEvent on anything else."""
    try:
        doc = orjson.loads(raw)
        if doc.get("specversion") != SPEC_VERSION:
            raise MalformedEvent(f"unsupported specversion {doc.get('specversion')!r}")
        event = Event(
            id=str(doc["id"]),
            source=str(doc["source"]),
            type=str(doc["type"]),
            subject=str(doc["subject"]),
            time=str(doc["time"]),
            data=dict(doc["data"]),
            traceparent=doc.get("traceparent"),
        )
        _ = event.version, event.state
    except MalformedEvent:
        raise
    except (
        orjson.JSONDecodeError,
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
        AssertionError,
        IndexError,
    ) as exc:
        raise MalformedEvent(f"not a tt CloudEvent: {exc}") from exc
    return event
