"""The wait between retries of a loop that lost a dependency (Kafka, PostgreSQL).

Each wait is the current step times 0.5-1.5, so processes that lost the same broker do not
all come back in the same instant; the step doubles after each failure up to a cap, and a
success puts it back to the first step.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable


class Backoff:
    """Jittered exponential delays for one retry loop (not shared between tasks)."""

    def __init__(
        self, first: float, cap: float, *, rand: Callable[[], float] = random.random
    ) -> None:
        self._first = first
        self._cap = cap
        self._rand = rand
        self.step = first
        """The step the next wait is jittered around (what a log line reports)."""

    def reset(self) -> None:
        """After a success: the next failure waits the first step again."""
        self.step = self._first

    def next_delay(self) -> float:
        """The next wait, and the step doubled (up to the cap) for the one after."""
        delay = self.step * (0.5 + self._rand())
        self.step = min(self.step * 2, self._cap)
        return delay

    async def wait(self) -> None:
        await asyncio.sleep(self.next_delay())
