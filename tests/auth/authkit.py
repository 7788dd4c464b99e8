"""Helpers for the auth tests: calling verify as Traefik does, extra auth processes,
a local release feed, and reading auth's Redis."""

from __future__ import annotations

import http.server
import ipaddress
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import httpx

from support.api import TIMEOUT, wait_until
from support.platform import PlatformInfo

REPO = Path(__file__).resolve().parents[2]


def verify(
    platform: PlatformInfo,
    uri: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    replica: int = 0,
) -> httpx.Response:
    """Ask auth's ``/internal/verify`` about a request, with the headers Traefik forwards."""
    sent = {"X-Forwarded-Method": method, "X-Forwarded-Uri": uri, **(headers or {})}
    return httpx.get(
        platform.internal_url("auth", replica) + "/internal/verify", headers=sent, timeout=TIMEOUT
    )


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def auth_env(platform: PlatformInfo, **extra: str) -> dict[str, str]:
    """The environment ``./dev`` gives auth on this platform, plus ``extra``."""
    from tt.devenv.platform import Platform
    from tt.devenv.services import BY_NAME, service_env

    layout = Platform.from_file(platform.path).layout
    return {**os.environ, **service_env(layout, BY_NAME["auth"], platform.secrets), **extra}


@contextmanager
def extra_auth(platform: PlatformInfo, **extra: str) -> Iterator[str]:
    """One more auth process on its own port (same database and Redis); yields its URL."""
    port = free_port()
    log = (Path(platform.doc["logs"]) / f"auth-extra-{port}.log").open("wb")
    argv = [
        sys.executable, "-m", "uvicorn", "tt.auth.main:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    proc = subprocess.Popen(
        argv, env=auth_env(platform, **extra), cwd=REPO, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def ready() -> bool:
            assert proc.poll() is None, "the extra auth process exited"
            try:
                return httpx.get(url + "/readyz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        try:
            wait_until(ready, timeout=120, interval=0.2, what="the extra auth process")
        except AssertionError as exc:
            log.flush()
            tail = Path(log.name).read_text(errors="replace")[-2000:]
            raise AssertionError(f"{exc}; its log ends with:\n{tail}") from exc
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


DOWN = 0


class Feed:
    """A release feed served on loopback: ``documents[path]`` is what each path answers
    (status ``DOWN``: the connection is dropped without an answer)."""

    def __init__(self) -> None:
        self.documents: dict[str, tuple[int, bytes]] = {}
        self.requests = 0
        feed = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                feed.requests += 1
                status, body = feed.documents.get(self.path, (404, b"{}"))
                if status == DOWN:  # hang up without an answer, as a dead feed does
                    self.close_connection = True
                    return
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def serve(self, path: str, doc: Any, status: int = 200) -> str:
        body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
        self.documents[path] = (status, body)
        return self.url + path

    def __enter__(self) -> Feed:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def auth_redis_url(platform: PlatformInfo) -> str:
    from tt.devenv.services import BY_NAME

    return f"{platform.redis_url}/{BY_NAME['auth'].redis_db}"


def fresh_address() -> str:
    """A client address nobody else uses (login limits are per address)."""
    return str(ipaddress.IPv6Address((0xFD << 120) | secrets.randbits(64)))
