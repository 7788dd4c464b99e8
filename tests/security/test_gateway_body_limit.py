"""Finding 9: the gateway authenticates before it buffers a body, so an anonymous upload is
refused at once instead of after the whole body; bodies are limited to 1 MiB except on
the CSV import route."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import httpx

from support.api import User, assert_error

DECLARED = 12 * 1024 * 1024


def _raw_post_head(gateway_url: str, path: str, length: int) -> tuple[socket.socket, float]:
    parts = urlsplit(gateway_url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    )
    sock.sendall(head.encode() + b"[" + b" " * 65535)
    return sock, time.monotonic()


def test_an_anonymous_upload_is_refused_before_its_body_is_read(gateway_url: str) -> None:
    sock, started = _raw_post_head(gateway_url, "/api/v1/projects", DECLARED)
    try:
        sock.settimeout(5)
        # Only 64 KiB of 12 MiB were sent: the answer must come without the rest.
        answer = sock.recv(4096)
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert time.monotonic() - started < 5


def test_bodies_over_one_mebibyte_are_413_at_the_gateway(user: User) -> None:
    body = b'{"name": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    r = user.api.post("/api/v1/clients", content=body, headers={"Content-Type": "application/json"})
    assert_error(r, 413, "payload_too_large")


def test_the_csv_import_route_takes_more_than_one_mebibyte(user: User) -> None:
    project = user.api.post("/api/v1/projects", json={"name": "import target"}).json()["project"]
    row = f"{project['id']},2024-01-02T09:00:00,2024-01-02T10:00:00,{'n' * 900}\n"
    csv = "project_id,start_time,end_time,notes\n" + row * 1300  # about 1.2 MiB
    assert len(csv) > 1024 * 1024
    r = user.api.post(
        "/api/v1/time-entries/import-csv",
        files={"file": ("entries.csv", csv.encode(), "text/csv")},
        timeout=httpx.Timeout(120),
    )
    assert r.status_code != 413, r.text
    assert r.status_code < 500, r.text
