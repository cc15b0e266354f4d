"""Work done in a second process while this one goes on, for the builds of large portfolios.

`later(work, ...)` runs `work` in a child process forked from this one and returns a function
that gives its result when called. A forked child shares this process's memory as it was, so
nothing is copied or pickled on the way in (a large assessment takes seconds to pickle); the
result comes back through a pipe. Forking is safe only without other threads (`mkdocs serve`
has some) and is Linux's way (macOS's system libraries do not support it), so elsewhere, and
when the child fails in any way (killed, out of memory, an exception), `work` runs here
instead: the result is the same either way, only the time differs.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    return sys.platform == "linux" and threading.active_count() == 1


def later(work: Callable[[], T], *, background: bool) -> Callable[[], T]:
    """`work`'s result, to be asked for when needed: computed now unless `background` (and
    `can_fork`), else in a forked child meanwhile."""
    if not (background and can_fork()):
        value = work()
        return lambda: value
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_run, args=(work, send), daemon=True)
    child.start()
    send.close()

    def result() -> T:
        try:
            done, value = receive.recv()
        except (EOFError, OSError):  # the child died before it answered
            done, value = False, None
        finally:
            receive.close()
            child.join()
        return value if done else work()

    return result


def _run(work: Callable[[], object], send: Connection) -> None:
    """In the child: send (True, the result), or (False, None) when `work` fails."""
    try:
        value = work()
    except BaseException:  # the parent runs `work` again and reports what happens
        send.send((False, None))
    else:
        send.send((True, value))
    finally:
        send.close()
        os._exit(0)  # no exit handlers of the parent's (atexit, pytest's) run in the child
