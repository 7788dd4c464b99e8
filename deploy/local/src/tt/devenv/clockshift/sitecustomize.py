"""Imported by every Python process that ``./dev test --at`` starts (it is on their
``PYTHONPATH``): shifts the wall clock (``time.time``, ``datetime.now``, ``date.today``)
by ``TT_CLOCK_SHIFT_SECONDS``, ticking. See ``tt.devenv.clock``."""

import os
import time

_shift = os.environ.get("TT_CLOCK_SHIFT_SECONDS")
if _shift:
    import time_machine

    time_machine.travel(time.time() + int(_shift), tick=True).start()
    # A travel starts ticking at its first reading, not at start(): read it now, or every
    # process's clock would lag by however long it waited before it first asked.
    time.time()
