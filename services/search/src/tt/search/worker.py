"""The search worker process (``python -m tt.search.worker``)."""

from __future__ import annotations

from tt.common.worker import run_worker
from tt.search.settings import SearchSettings


def main() -> None:
    run_worker(SearchSettings(), [])


if __name__ == "__main__":
    main()
