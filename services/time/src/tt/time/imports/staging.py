"""Checked rows waiting to be written, spooled (memory up to 4 MiB, then disk), so an
import of any size holds one batch of rows in memory at a time."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator

from tt.time.imports.rows import Staged

BATCH = 2000


class Staging:
    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=4 << 20)  # noqa: SIM115 (closed)
        self._batch: list[Staged] = []
        self.count = 0

    def add(self, row: Staged) -> None:
        self._batch.append(row)
        self.count += 1
        if len(self._batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            pickle.dump(self._batch, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._batch = []

    def batches(self) -> Iterator[list[Staged]]:
        """The staged rows in the order they were added (may be read more than once)."""
        self._flush()
        self._file.seek(0)
        while True:
            try:
                # Our own spool, written just above: never outside data.
                yield pickle.load(self._file)  # noqa: S301
            except EOFError:
                return

    def close(self) -> None:
        self._file.close()
