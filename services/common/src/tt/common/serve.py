"""How a service's API process runs: one app on two ports.

``python -m tt.common.serve tt.auth.main:create_app --host 0.0.0.0 --port 8000
--internal-port 8001`` serves the app on the public port (the one the gateway routes to)
and on the internal port (verify for the gateway's ForwardAuth, ``/metrics`` for
monitoring). The private paths (``/internal/…``, ``/metrics``, ``/docs``,
``/openapi.json``) answer only on the internal port; on the public port they are the
same JSON 404 as an unknown path, so a process that reaches a service's public port gets
no identities from verify and no map of the routes (docs/security.md).
"""

from __future__ import annotations

import argparse
import socket
from collections.abc import Callable

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.importer import import_from_string

from tt.common.errors import NotFound, error_response

PRIVATE_PREFIXES = ("/internal/", "/docs/")
PRIVATE_PATHS = frozenset({"/internal", "/metrics", "/docs", "/openapi.json", "/redoc"})


def is_private(path: str) -> bool:
    """Whether ``path`` is for the internal port only (repeated and trailing slashes
    ignored, so ``//metrics/`` is ``/metrics``)."""
    normal = "/" + "/".join(part for part in path.split("/") if part)
    return normal in PRIVATE_PATHS or normal.startswith(PRIVATE_PREFIXES)


class InternalRoutes:
    """Pure ASGI: private paths answer only on the connection's ``internal_port``."""

    def __init__(self, app: ASGIApp, *, internal_port: int) -> None:
        self.app = app
        self.internal_port = internal_port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_private(scope["path"]):
            server = scope.get("server") or (None, None)
            if server[1] != self.internal_port:
                response = error_response(NotFound("The requested resource was not found"))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, build the app from its factory and serve both ports."""
    parser = argparse.ArgumentParser(prog="python -m tt.common.serve")
    parser.add_argument("factory", help="module:function returning the ASGI app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--internal-port", type=int, required=True)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    if args.internal_port == args.port:
        parser.error("--internal-port must differ from --port")
    factory: Callable[[], ASGIApp] = import_from_string(args.factory)
    internal_port: int = args.internal_port

    def guarded() -> ASGIApp:
        return InternalRoutes(factory(), internal_port=internal_port)

    # A factory, as with `uvicorn --factory`: the app is built after uvicorn has set up
    # its loggers, so the service's own logging set-up is not overwritten.
    config = uvicorn.Config(
        guarded,
        factory=True,
        log_level=args.log_level,
        access_log=False,
        server_header=False,
        timeout_keep_alive=120,
        loop="uvloop",
        http="httptools",
    )
    sockets = [_listen(args.host, args.port), _listen(args.host, args.internal_port)]
    uvicorn.Server(config).run(sockets=sockets)


if __name__ == "__main__":
    main()
