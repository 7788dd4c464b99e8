"""Three webhook subscribers on 127.0.0.1, in a child process (so their work does not
slow the load's clock): the webhook tests' receivers, each answering 200, or 500 while
the drill makes it fail. They keep only what the check needs of each delivery."""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import orjson


@dataclass(frozen=True)
class Delivery:
    """One POST a subscriber received."""

    subscriber: int
    event_id: str
    subject: str
    type: str
    status: int  # what the subscriber answered


def _serve(count: int, tests_dir: str, pipe: Connection) -> None:
    """Child process: ``count`` receivers; answers the parent's commands until "stop"."""
    sys.path.insert(0, str(Path(tests_dir) / "webhooks"))
    from webhook_receivers import Answer, Receiver

    failing = [False] * count
    seen: list[Delivery] = []

    def responder(index: int):  # type: ignore[no-untyped-def]
        def respond(_n: int, body: bytes) -> Answer:
            status = 500 if failing[index] else 200
            try:
                event = orjson.loads(body)
                seen.append(
                    Delivery(index, event["id"], str(event["subject"]), event["type"], status)
                )
            except (orjson.JSONDecodeError, KeyError, TypeError):
                seen.append(Delivery(index, "?", "?", "?", status))
            return Answer(status)

        return respond

    receivers = [Receiver(responder(i)) for i in range(count)]
    pipe.send([r.url for r in receivers])
    while True:
        command, *args = pipe.recv()
        if command == "fail":
            failing[args[0]] = bool(args[1])
            pipe.send(True)
        elif command == "collect":
            out = []
            for receiver in receivers:
                # The receiver keeps every body; drop them (``seen`` has what we need).
                with receiver._lock:
                    receiver.received.clear()
            while seen:
                out.append(seen.pop(0))
            pipe.send(out)
        else:
            for receiver in receivers:
                receiver.close()
            pipe.send(True)
            return


class Subscribers:
    """The parent's handle on the child process."""

    def __init__(self, count: int, tests_dir: Path) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipe, theirs = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(count, str(tests_dir), theirs), daemon=True
        )
        self._process.start()
        self.urls: list[str] = self._pipe.recv()
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()  # faults toggle a subscriber from another thread

    def _ask(self, *command: object) -> object:
        with self._lock:
            self._pipe.send(command)
            return self._pipe.recv()

    def fail(self, index: int, failing: bool) -> None:
        self._ask("fail", index, failing)

    def collect(self) -> list[Delivery]:
        """Every delivery received so far (since ``reset``)."""
        got = self._ask("collect")
        assert isinstance(got, list)
        self.deliveries += got
        return self.deliveries

    def reset(self) -> None:
        self.collect()
        self.deliveries = []

    def close(self) -> None:
        with contextlib.suppress(OSError, EOFError):
            self._ask("stop")
        self._process.join(5)
        if self._process.is_alive():
            self._process.kill()
