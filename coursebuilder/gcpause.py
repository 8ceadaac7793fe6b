"""When the cyclic garbage collector may run: not while a course is parsed, loaded or built.

Loading a large course creates millions of objects and almost no cycles; each collection of
the oldest generation would walk the whole growing model again (most of the load time of a
20,000-question bank), and targets walk the whole model too. Memory freed by reference
counting is freed as usual. This module is the only one that switches the collector.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the collector within the block; blocks nest, and the outermost one resumes it.

    Also a decorator: `@paused_gc()` pauses it for each call of the function.
    """
    if not gc.isenabled():  # an outer block (or the program, see below) has paused it
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def pause_until_exit() -> None:
    """Keep the collector off for the rest of the process, for a program that runs one command.

    Once `validate` or `build` return, the collector's next runs, and the interpreter's last
    one at exit, would walk every object of the course again (about a second for 20,000
    questions) to find no garbage; what is left is frozen at exit instead.
    """
    gc.disable()
    atexit.register(gc.freeze)
