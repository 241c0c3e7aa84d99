"""Python's cycle collector paused while a piece of work makes many objects that hold no cycles (a list's rows,
a year's export facts): each of its passes walks every object made so far, for nothing. What is left for it is
collected once it runs again. Process-wide, so other threads' objects wait too, for those seconds; a collector
already held off (ui.worker holds it while jobs run) stays held."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def many_objects() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
