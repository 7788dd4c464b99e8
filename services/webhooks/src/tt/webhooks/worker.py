"""The webhooks worker process (``python -m tt.webhooks.worker``)."""

from __future__ import annotations

from tt.common.worker import run_worker
from tt.webhooks.settings import WebhooksSettings


def main() -> None:
    run_worker(WebhooksSettings(), [])


if __name__ == "__main__":
    main()
