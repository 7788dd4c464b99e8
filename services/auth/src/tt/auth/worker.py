"""The auth worker process (``python -m tt.auth.worker``): the outbox relay."""

from __future__ import annotations

from tt.auth.settings import AuthSettings
from tt.common.worker import relay_outbox, run_worker


def main() -> None:
    run_worker(AuthSettings(), [relay_outbox])


if __name__ == "__main__":
    main()
