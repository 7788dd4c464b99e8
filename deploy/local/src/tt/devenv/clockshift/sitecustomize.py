"""Imported by every Python process that ``./dev test --at`` starts (it is on their
``PYTHONPATH``): shifts the wall clock (``time.time``, ``datetime.now``, ``date.today``)
by ``TT_CLOCK_SHIFT_SECONDS``, ticking. See ``tt.devenv.clock``."""

import os
import time

_shift = os.environ.get("TT_CLOCK_SHIFT_SECONDS")
if _shift:
    import time_machine

    time_machine.travel(time.time() + int(_shift), tick=True).start()
