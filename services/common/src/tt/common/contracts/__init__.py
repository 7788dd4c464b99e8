"""Typed event contracts: every event type the platform emits, as a named constant with
the pydantic model of the state it carries (one module per producing service).

Producers build events only through ``EventType.build`` (``tt.common.publisher``), which
validates the state against the model, so a producer cannot emit a state its contract
does not describe; consumers match handlers on ``EventType.name`` or ``Entity.pattern``
and read a state through ``Entity.read``, as the same model.
``docs/events.md`` is generated from these models (``python -m tt.common.contracts.docs``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Annotated, Any, Generic, TypeVar, cast

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from tt.common.events import Event, make_event
from tt.common.fields import MAX_ID

DELETED = "deleted"


def _utc(moment: datetime) -> datetime:
    # docs/events.md: datetimes are UTC; one without an offset is read as UTC too.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


Instant = Annotated[datetime, AfterValidator(_utc)]
"""An ISO 8601 datetime, always timezone-aware."""

Id = Annotated[int, Field(ge=-MAX_ID - 1, le=MAX_ID)]
"""An entity id: a PostgreSQL bigint."""


class EventState(BaseModel):
    """The full state of an entity as an event carries it: every field present (null
    where the entity has no value), no field the contract does not name."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class InvalidEventState(ValueError):
    """A state its event type's model rejects: a producer may not emit it, and a consumer
    that reads one sends the event to its dead-letter topic."""


S = TypeVar("S", bound=EventState)


@dataclass(frozen=True)
class Entity(Generic[S]):
    """An entity whose changes travel on one topic (``deploy/kafka/topics.yaml``)."""

    name: str
    topic: str
    state: type[S]
    description: str
    types: dict[str, EventType] = field(default_factory=dict, compare=False, repr=False)

    @property
    def pattern(self) -> str:
        """The glob matching every event type of this entity (consumer handler keys)."""
        return f"tt.{self.name}.*"

    def event_type(self, name: str, description: str) -> EventType:
        """Declare the event type ``name`` (once, at import). The name is written out in
        full, ``tt.<entity>.<verb>``, so a grep for a type finds its declaration, and the
        constant it is bound to finds its producers."""
        prefix = f"tt.{self.name}."
        verb = name.removeprefix(prefix)
        if verb == name or not verb or "." in verb:
            raise ValueError(f"{name} is not an event type of {self.name} (tt.{self.name}.<verb>)")
        declared = EventType(entity=self, name=name, description=description)
        if declared.name in REGISTRY:
            raise ValueError(f"event type {declared.name} is declared twice")
        REGISTRY[declared.name] = declared
        self.types[declared.verb] = declared
        return declared

    def verb(self, verb: str) -> EventType:
        """The declared event type of ``verb``; KeyError for one the contract lacks."""
        return self.types[verb]

    def read(self, event: Event) -> S:
        """The state ``event`` carries, as the contract's model. A field the model does not
        name is ignored (a newer producer may add one); a state it rejects raises
        InvalidEventState."""
        try:
            return self._reader.model_validate(event.state)
        except ValueError as exc:
            raise InvalidEventState(f"{event.type} {event.subject}: {exc}") from exc

    @cached_property
    def _reader(self) -> type[S]:
        # The producer's model forbids unknown fields; a reader tolerates them.
        config = ConfigDict(extra="ignore", frozen=True)
        reader = type(self.state.__name__, (self.state,), {"model_config": config})
        return cast(type[S], reader)


@dataclass(frozen=True)
class EventType:
    entity: Entity[Any]
    name: str
    description: str

    @property
    def verb(self) -> str:
        return self.name.rsplit(".", 1)[1]

    def validate(self, state: Mapping[str, Any]) -> None:
        """Raise InvalidEventState unless ``state`` matches the entity's model."""
        try:
            self.entity.state.model_validate(state)
        except ValueError as exc:
            raise InvalidEventState(f"{self.name}: {exc}") from exc

    def build(
        self, *, source: str, entity_id: object, version: int, state: Mapping[str, Any]
    ) -> Event:
        """The event of one change, its state checked against the contract. The state is
        carried as given (only validated), so the wire format is the producer's."""
        self.validate(state)
        return make_event(
            source=source,
            entity=self.entity.name,
            verb=self.verb,
            entity_id=entity_id,
            version=version,
            state=dict(state),
        )


REGISTRY: dict[str, EventType] = {}
"""Every declared event type by name (filled when the service modules are imported)."""


def all_event_types() -> dict[str, EventType]:
    """Every event type of every producing service."""
    from tt.common.contracts import auth, time  # noqa: F401 (imported to declare)

    return dict(REGISTRY)
