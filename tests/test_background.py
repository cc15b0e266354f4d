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
from pathlib import Path

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


def test_shared_items_are_done_once_each_by_both_processes() -> None:
    out = in_fresh_python(
        """
        import os, time
        from generator.site import background
        def do(i):
            time.sleep(0.002)
            return (i, os.getpid())
        shared = background.Shared(200, do, background=True)
        time.sleep(0.1)  # this process is busy elsewhere; the child has started
        done = shared.results()
        print([i for i, _ in done] == list(range(200)), len({pid for _, pid in done}))
        """
    )
    assert out == "True 2"


def test_a_failing_shared_item_is_raised_here() -> None:
    out = in_fresh_python(
        """
        import os
        from generator.site import background
        parent = os.getpid()
        def do(i):
            if i == 150 and os.getpid() == parent:
                raise ValueError(f"bad item {i}")
            if i == 150:
                raise KeyError(i)  # the child's failure: done again here
            return i
        shared = background.Shared(300, do, background=True)
        import time; time.sleep(0.2)
        try:
            shared.results()
        except ValueError as exc:
            print(exc)
        """
    )
    assert out == "bad item 150"


def test_a_killed_helper_leaves_its_items_to_this_process() -> None:
    out = in_fresh_python(
        """
        import os
        from generator.site import background
        background.Shared._work = lambda self, send: os._exit(9)
        print(background.Shared(50, lambda i: i * i, background=True).results() == [
            i * i for i in range(50)
        ])
        """
    )
    assert out == "True"


def test_without_background_the_items_are_done_here() -> None:
    shared = background.Shared(5, lambda i: (i, os.getpid()), background=False)
    assert shared.results() == [(i, os.getpid()) for i in range(5)]


def test_a_large_site_renders_the_same_pages_in_two_processes(tmp_path: Path) -> None:
    from .test_scale import TINY  # which imports this module

    out = in_fresh_python(
        f"""
        import sys
        from pathlib import Path
        sys.path.insert(0, "benchmarks")
        import scale_gen
        from generator.site import background, build, render
        root = Path({str(tmp_path)!r}) / "portfolio"
        scale_gen.generate(root, **{TINY!r})
        children = []
        start = background.Shared.__init__
        def watched(self, *args, **kwargs):
            start(self, *args, **kwargs)
            children.append(self._child is not None)
        background.Shared.__init__ = watched
        render.SHARED_FROM = 1  # the tiny portfolio's 80 record pages are shared
        one, _ = build.generate_site(root, workers=1)
        two, _ = build.generate_site(root, workers=2)
        print(children, one.pages == two.pages, len(two.pages) > 80)
        """
    )
    assert out == "[False, True] True True"
