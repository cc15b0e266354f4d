"""A build's long-lived objects kept out of the cyclic garbage collector's way.

A build of a large portfolio holds hundreds of thousands of objects from validation to its
end (the portfolio model, its assessment, the pages) and makes millions of short-lived ones
on the way. Whenever enough of those survive a while, the collector walks every object there
is: at full scale some seven times a build, a fifth of a second or more each, over a second
of a one-edit rebuild (benchmarks/bench_scale.py). Inside `build()`, `keep()` freezes what is
alive then (`gc.freeze`), so those passes walk only what was made since; when the outermost
`build()` ends, everything is unfrozen and collected as usual again, so a server that builds
again and again keeps nothing of an old build. Nothing is frozen when the program has frozen
objects of its own (it decides then), nor outside `build()`.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_depth = 0  # `build()` blocks open; builds do not run in parallel in one process
_owned = False  # the outermost block found nothing frozen: its objects are ours to freeze


@contextlib.contextmanager
def build() -> Iterator[None]:
    """A build: what `keep()` freezes inside is unfrozen when the outermost block ends."""
    global _depth, _owned
    if _depth == 0:
        _owned = gc.get_freeze_count() == 0
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0 and _owned:
            _owned = False
            gc.unfreeze()


def keep() -> None:
    """Freeze every object alive now, when inside `build()` and the freezing is ours: call it
    after a stage whose results live till the build ends."""
    if _depth and _owned:
        gc.freeze()


def leaving() -> None:
    """The process ends now: freeze everything, so the collection the interpreter makes at
    exit walks nothing (the unfrozen model of a full-scale build: most of a second). For a
    command line's last step only: nothing frozen is ever collected."""
    gc.freeze()
