"""``./dev drill``: the fault drill (see ``drill/run.py``). Run as ``python bench/drill``."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1]
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from drill.run import main  # noqa: E402  (needs bench/ on the path first)

if __name__ == "__main__":
    raise SystemExit(main())
