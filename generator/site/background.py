"""Work done in a second process while this one goes on, for the builds of large portfolios.

`later(work, ...)` runs `work` in a child process forked from this one and returns a function
that gives its result when called. `Shared(count, do, ...)` has a forked child and this
process take turns at the items `do(0)` to `do(count - 1)` (the pages of a large site), each
taking the next item not yet taken, so neither waits while the other has much left.

A forked child shares this process's memory as it was, so nothing is copied or pickled on the
way in (a large assessment takes seconds to pickle); the result comes back through a pipe.
Forking is safe only without other threads (`mkdocs serve` has some) and is Linux's way
(macOS's system libraries do not support it), so elsewhere, and when the child fails in any way
(killed, out of memory, an exception), `work` runs here instead: the result is the same either
way, only the time differs.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

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


class Shared(Generic[T]):
    """`do(i)` for every item `i < count`, shared with a forked child (when `background` and
    `can_fork`): the child starts at once and takes items one after the other; this process
    does other work meanwhile, then takes what is left in `results`. Each item is done once,
    by whichever process takes it first from a counter both share. When the child fails or
    dies, this process does the items it did not hand back (a failing `do` raises here)."""

    def __init__(self, count: int, do: Callable[[int], T], *, background: bool) -> None:
        self.count, self.do = count, do
        self._child: Any = None
        if not (background and count > 1 and can_fork()):
            self._next_free = 0
            return
        context = multiprocessing.get_context("fork")
        self._counter = context.Value("l", 0)  # the next item not taken, behind a lock
        self._receive, send = context.Pipe(duplex=False)
        self._child = context.Process(target=self._work, args=(send,), daemon=True)
        self._child.start()
        send.close()

    def _take(self) -> int | None:
        if self._child is None:
            taken, self._next_free = self._next_free, self._next_free + 1
        else:
            with self._counter.get_lock():
                taken = self._counter.value
                self._counter.value = taken + 1
        return taken if taken < self.count else None

    def _work(self, send: Connection) -> None:
        """In the child: items until none is left, then (item, result) pairs back."""
        done: dict[int, T] = {}
        try:
            while (item := self._take()) is not None:
                done[item] = self.do(item)
        except BaseException:  # this item and the rest are done again in the parent
            pass
        try:
            send.send(done)
        finally:
            send.close()
            os._exit(0)  # no exit handlers of the parent's (atexit, pytest's) run in the child

    def results(self) -> list[T]:
        """Every item's result, in order: the items left taken here, the child's received."""
        mine: dict[int, T] = {}
        while (item := self._take()) is not None:
            mine[item] = self.do(item)
        if self._child is not None:
            try:
                mine.update(self._receive.recv())
            except (EOFError, OSError):  # the child died before it answered
                pass
            finally:
                self._receive.close()
                self._child.join()
        return [mine[i] if i in mine else self.do(i) for i in range(self.count)]
