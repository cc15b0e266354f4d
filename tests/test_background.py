"""Work in a forked child: the same result as in this process, also when the child fails,
and never a fork while other threads run."""

from __future__ import annotations

import os
import threading

import pytest

from generator.site import background


def test_the_result_comes_from_the_child() -> None:
    result = background.later(lambda: (os.getpid(), [1, 2, 3]), background=True)
    pid, value = result()
    assert value == [1, 2, 3] and pid != os.getpid()


def test_without_background_it_is_computed_here() -> None:
    result = background.later(lambda: os.getpid(), background=False)
    assert result() == os.getpid()


def test_a_failure_in_the_child_is_raised_here() -> None:
    calls: list[int] = []

    def work() -> int:
        calls.append(os.getpid())
        raise ValueError("bad input")

    result = background.later(work, background=True)
    with pytest.raises(ValueError, match="bad input"):
        result()
    assert calls == [os.getpid()]  # the child's attempt is not in this process's list


def test_a_killed_child_means_computing_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(background, "_run", lambda work, send: os._exit(9))
    result = background.later(lambda: os.getpid(), background=True)
    assert result() == os.getpid()


def test_no_fork_while_other_threads_run() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not background.can_fork()
        assert background.later(lambda: os.getpid(), background=True)() == os.getpid()
    finally:
        stop.set()
        thread.join()
