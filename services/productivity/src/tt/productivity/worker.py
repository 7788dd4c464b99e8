"""The productivity worker process (``python -m tt.productivity.worker``)."""

from __future__ import annotations

from tt.common.worker import run_worker
from tt.productivity.settings import ProductivitySettings


def main() -> None:
    run_worker(ProductivitySettings(), [])


if __name__ == "__main__":
    main()
