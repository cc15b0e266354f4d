"""Work in a forked child: the same result as in this process, also when the child fails,
and never a fork while other threads run.

The forking cases run in a fresh interpreter: the test session itself has threads (the
browser tests' server and Playwright), and `background` rightly refuses to fork then."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading

from generator.site import background

from .conftest import ROOT


def in_fresh_python(code: str) -> str:
    """What `code` prints, run by a new interpreter with no thread but its main one."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_result_comes_from_the_child() -> None:
    out = in_fresh_python(
        """
        import os
        from generator.site import background
        assert background.can_fork()
        pid, value = background.later(lambda: (os.getpid(), [1, 2, 3]), background=True)()
        print(pid != os.getpid(), value)
        """
    )
    assert out == "True [1, 2, 3]"


def test_a_failure_in_the_child_is_raised_here() -> None:
    out = in_fresh_python(
        """
        import os
        from generator.site import background
        calls = []
        def work():
            calls.append(os.getpid())
            raise ValueError("bad input")
        result = background.later(work, background=True)
        try:
            result()
        except ValueError as exc:
            print(exc, calls == [os.getpid()])  # the child's attempt is not in this list
        """
    )
    assert out == "bad input True"


def test_a_killed_child_means_computing_here() -> None:
    out = in_fresh_python(
        """
        import os
        from generator.site import background
        background._run = lambda work, send: os._exit(9)  # killed before it answers
        print(background.later(lambda: os.getpid(), background=True)() == os.getpid())
        """
    )
    assert out == "True"


def test_without_background_it_is_computed_here() -> None:
    result = background.later(lambda: os.getpid(), background=False)
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
