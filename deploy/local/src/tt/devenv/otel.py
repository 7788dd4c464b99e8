"""The trace backend of ``./dev up --otel`` and ``./dev test``: tt's OpenTelemetry
Collector (``deploy/otel/collector``: the OTLP receiver and the file exporter), built once
with ``go install`` from the Go module proxy and cached under ``.tt/cache``.

It receives OTLP/HTTP on the platform's ``otel-collector`` port and writes every batch
of spans as one JSON line (the OTLP JSON encoding) under ``<state>/traces/``, which
:func:`read_spans` turns back into spans for tests and for ``./dev traces``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tt.devenv.install import go_install
from tt.devenv.layout import CACHE, REPO
from tt.devenv.procs import running, spawn, wait_for_port

if TYPE_CHECKING:
    from tt.devenv.platform import Platform

COLLECTOR_SOURCE = REPO / "deploy" / "otel" / "collector"
COLLECTOR_CONFIG = REPO / "deploy" / "otel" / "collector.yaml"
PROCESS = "otel-collector"


def collector_binary() -> Path:
    """The collector built from ``deploy/otel/collector`` (rebuilt when its sources change)."""
    digest = hashlib.sha256()
    for name in ("go.mod", "go.sum", "main.go"):
        digest.update((COLLECTOR_SOURCE / name).read_bytes())
    target = CACHE / f"tt-otelcol-{digest.hexdigest()[:12]}" / "tt-otelcol"
    # The first build takes a few minutes.
    return go_install(
        target,
        ".",
        what="the trace backend",
        cwd=COLLECTOR_SOURCE,
        env={"GOFLAGS": "-mod=readonly"},
    )


def traces_dir(state: Path) -> Path:
    return state / "traces"


def start_trace_backend(platform: Platform) -> str:
    """Start the collector for ``platform`` (if it is not running); returns its OTLP
    endpoint, which the services and the gateway export to."""
    layout = platform.layout
    port = layout.ports["otel-collector"]
    endpoint = f"http://127.0.0.1:{port}"
    if running(layout.pids, PROCESS):
        return endpoint
    binary = collector_binary()
    folder = traces_dir(layout.state)
    folder.mkdir(parents=True, exist_ok=True)
    spawn(
        PROCESS,
        [str(binary), "--config", str(COLLECTOR_CONFIG)],
        pids=layout.pids,
        logs=layout.logs,
        env={
            "TT_OTELCOL_OTLP_ENDPOINT": f"127.0.0.1:{port}",
            # Its health endpoint is for containers; locally the OTLP port is the signal.
            "TT_OTELCOL_HEALTH_ENDPOINT": "127.0.0.1:0",
            "TT_OTELCOL_TRACES_FILE": str(folder / "traces.jsonl"),
        },
    )
    wait_for_port(PROCESS, port, pids=layout.pids, logs=layout.logs, timeout=30)
    platform.say(f"  trace backend: {endpoint} (spans in {folder})")
    return endpoint


# ---------------------------------------------------------------- reading spans


@dataclass(frozen=True)
class Span:
    """One span as the collector wrote it."""

    trace_id: str
    span_id: str
    parent_span_id: str
    name: str
    kind: int
    service: str
    start_ns: int
    end_ns: int
    attributes: dict[str, Any] = field(default_factory=dict)
    links: tuple[tuple[str, str], ...] = ()

    @property
    def duration_ms(self) -> float:
        return (self.end_ns - self.start_ns) / 1e6


def _value(v: dict[str, Any]) -> Any:
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in v:
            return v[key]
    if "intValue" in v:
        return int(v["intValue"])
    if "arrayValue" in v:
        return [_value(x) for x in v["arrayValue"].get("values", [])]
    return None


def _attributes(items: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {a["key"]: _value(a.get("value", {})) for a in items}


def parse_line(line: str) -> Iterator[Span]:
    """The spans of one exported batch (one line of the file exporter's output)."""
    doc = json.loads(line)
    for resource_spans in doc.get("resourceSpans", []):
        resource = _attributes(resource_spans.get("resource", {}).get("attributes", []))
        service = str(resource.get("service.name", "unknown"))
        for scope_spans in resource_spans.get("scopeSpans", []):
            for s in scope_spans.get("spans", []):
                yield Span(
                    trace_id=s["traceId"],
                    span_id=s["spanId"],
                    parent_span_id=s.get("parentSpanId", ""),
                    name=s.get("name", ""),
                    kind=int(s.get("kind", 0)),
                    service=service,
                    start_ns=int(s.get("startTimeUnixNano", 0)),
                    end_ns=int(s.get("endTimeUnixNano", 0)),
                    attributes=_attributes(s.get("attributes", [])),
                    links=tuple((ln["traceId"], ln["spanId"]) for ln in s.get("links", [])),
                )


def read_spans(folder: Path, trace_id: str | None = None) -> list[Span]:
    """Every span written under ``folder`` (rotated files included), or one trace's."""
    spans: list[Span] = []
    for path in sorted(folder.glob("traces*.jsonl"), key=os.path.getmtime):
        with path.open() as fh:
            for line in fh:
                if not line.strip() or (trace_id and trace_id not in line):
                    continue
                try:
                    batch = list(parse_line(line))
                except (ValueError, KeyError):
                    continue  # a line cut short by a concurrent write; the next read sees it
                spans += [s for s in batch if trace_id is None or s.trace_id == trace_id]
    return spans


def render_trace(spans: list[Span]) -> list[str]:
    """A trace as an indented tree: service, span name and duration per line."""
    by_parent: dict[str, list[Span]] = {}
    ids = {s.span_id for s in spans}
    for span in sorted(spans, key=lambda s: s.start_ns):
        parent = span.parent_span_id if span.parent_span_id in ids else ""
        by_parent.setdefault(parent, []).append(span)
    lines: list[str] = []

    def walk(parent: str, depth: int) -> None:
        for span in by_parent.get(parent, []):
            lines.append(
                f"{'  ' * depth}{span.service:<22} {span.name}  ({span.duration_ms:.1f} ms)"
            )
            walk(span.span_id, depth + 1)

    walk("", 0)
    return lines
