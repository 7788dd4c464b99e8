"""The time worker process (``python -m tt.time.worker``): the outbox relay."""

from __future__ import annotations

from tt.common.worker import relay_outbox, run_worker
from tt.time.settings import TimeSettings


def main() -> None:
    run_worker(TimeSettings(), [relay_outbox])


if __name__ == "__main__":
    main()
