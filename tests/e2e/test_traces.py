"""One trace from the client to every consumer (docs/architecture.md, An event): a time
entry created through the gateway is one trace in the trace backend, holding the
gateway's span, auth's verify span, the time service's span, the outbox relay's produce
span and the search and productivity consumers' spans, each consumer continuing from the
produce span (the context travels in the Kafka record's headers)."""

from __future__ import annotations

import secrets
from pathlib import Path

from support.api import User, wait_until
from support.platform import PlatformInfo
from tt.devenv.otel import Span, read_spans, traces_dir

SPAN_KIND_SERVER, SPAN_KIND_PRODUCER, SPAN_KIND_CONSUMER = 2, 4, 5
ENTRIES_TOPIC = "tt.time.entries"


def _traces(platform: PlatformInfo) -> Path:
    folder = traces_dir(Path(platform.doc["state"]))
    assert folder.is_dir(), (
        f"{folder} is missing: this platform runs no trace backend (start it with "
        "`./dev up --otel`; ./dev test and the compose stack always do)"
    )
    return folder


def _one(spans: list[Span], service: str, kind: int, name: str | None = None) -> Span | None:
    found = [s for s in spans if s.service == service and s.kind == kind and name in (None, s.name)]
    return found[0] if found else None


def test_an_entry_is_one_trace_from_the_gateway_to_every_consumer(
    user: User, platform: PlatformInfo
) -> None:
    folder = _traces(platform)
    project = user.api.post("/api/v1/projects", json={"name": "Traced"})
    assert project.status_code == 201, project.text
    trace_id, client_span = secrets.token_hex(16), secrets.token_hex(8)
    created = user.api.post(
        "/api/v1/time-entries",
        json={
            "project_id": project.json()["project"]["id"],
            "start_time": "2026-02-02T09:00:00Z",
            "end_time": "2026-02-02T10:00:00Z",
            "notes": "traced end to end",
        },
        headers={"traceparent": f"00-{trace_id}-{client_span}-01"},
    )
    assert created.status_code == 201, created.text
    publish = f"{ENTRIES_TOPIC} publish"
    process = f"{ENTRIES_TOPIC} process"
    wanted = {
        "gateway": ("tt-gateway", SPAN_KIND_SERVER, None),
        "auth verify": ("tt-auth", SPAN_KIND_SERVER, None),
        "time API": ("tt-time", SPAN_KIND_SERVER, None),
        "relay produce": ("tt-time-worker", SPAN_KIND_PRODUCER, publish),
        "search consumer": ("tt-search-worker", SPAN_KIND_CONSUMER, process),
        "productivity consumer": ("tt-productivity-worker", SPAN_KIND_CONSUMER, process),
    }

    def complete() -> dict[str, Span] | None:
        spans = read_spans(folder, trace_id)
        found = {label: _one(spans, *what) for label, what in wanted.items()}
        return found if all(found.values()) else None  # type: ignore[return-value]

    spans = wait_until(complete, timeout=45, interval=0.5, what=f"every span of trace {trace_id}")
    everything = read_spans(folder, trace_id)
    assert {s.trace_id for s in everything} == {trace_id}
    # The gateway continues the client's context; the consumers continue the relay's.
    assert spans["gateway"].parent_span_id == client_span
    produce = spans["relay produce"]
    assert produce.attributes["messaging.destination.name"] == ENTRIES_TOPIC
    assert produce.attributes["cloudevents.event_type"] == "tt.time_entry.created"
    for consumer in ("search consumer", "productivity consumer"):
        assert spans[consumer].parent_span_id == produce.span_id, consumer
        assert spans[consumer].attributes["cloudevents.event_type"] == "tt.time_entry.created"
    # The API's span sits under the gateway's, and the produce span under the API's
    # request (through the outbox row's traceparent).
    by_id = {s.span_id: s for s in everything}

    def ancestors(span: Span) -> set[str]:
        seen: set[str] = set()
        while span.parent_span_id in by_id and span.parent_span_id not in seen:
            seen.add(span.parent_span_id)
            span = by_id[span.parent_span_id]
        return seen

    assert spans["gateway"].span_id in ancestors(spans["time API"])
    assert spans["time API"].span_id in ancestors(produce)
