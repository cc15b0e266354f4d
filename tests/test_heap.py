"""A build keeps its long-lived objects frozen out of the collector's full passes, and leaves
the collector as it found it: nothing frozen after the build, a program's own frozen objects
left alone, and a command line that freezes everything only as it ends."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator import cli, heap
from generator.engines.mkdocs import CertfolioPlugin, build_site
from generator.site import build

from .conftest import CollectorSpy
from .test_site import make_project


@pytest.fixture(autouse=True)
def _nothing_frozen() -> Iterator[None]:
    assert gc.get_freeze_count() == 0
    yield
    assert gc.get_freeze_count() == 0 and heap._depth == 0


def test_keep_freezes_inside_a_build_till_the_outermost_build_ends() -> None:
    heap.keep()  # outside a build: nothing
    assert gc.get_freeze_count() == 0
    with heap.build():
        kept = [object()]
        heap.keep()
        assert gc.get_freeze_count() > 0
        with heap.build():
            heap.keep()
        assert gc.get_freeze_count() > 0  # the inner build does not end the freeze
        assert any(o is kept for o in gc.get_objects(2)) is False  # frozen: in no generation
    assert gc.get_freeze_count() == 0
    assert any(o is kept for o in gc.get_objects(2))  # back in the oldest generation


def test_a_programs_own_frozen_objects_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = CollectorSpy()
    monkeypatch.setattr(heap, "gc", spy)
    with heap.build():
        heap.keep()
    assert spy.calls == ["freeze", "unfreeze"]
    spy.calls.clear()
    gc.freeze()  # the program's own: frozen objects can still die, so no count is compared
    try:
        with heap.build():
            [object() for _ in range(100)]
            heap.keep()
        assert spy.calls == [] and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_the_build_ends_its_freeze_when_it_fails() -> None:
    with pytest.raises(RuntimeError), heap.build():
        heap.keep()
        raise RuntimeError("a stage failed")
    assert gc.get_freeze_count() == 0 and heap._depth == 0


def test_the_pages_are_rendered_with_the_model_and_assessment_frozen(
    minimal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    render = build.render_pages  # type: ignore[attr-defined]

    def watched(data: Any, *args: Any) -> dict[str, str]:
        tracked = [data.assessment, data.assessment.portfolio]
        seen.append(not any(o is x for o in gc.get_objects() for x in tracked))
        return render(data, *args)

    monkeypatch.setattr(build, "render_pages", watched)
    site, _ = build.generate_site(minimal, workers=1)
    assert site is not None and seen == [True]  # in no generation: frozen


def test_mkdocs_builds_the_generated_files_frozen_and_unfreezes(
    minimal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1736899200")
    config = make_project(tmp_path / "project", minimal)
    seen: list[int] = []
    on_files = CertfolioPlugin.on_files

    def counting(self: CertfolioPlugin, files: Any, /, **kwargs: Any) -> Any:
        seen.append(gc.get_freeze_count())  # the site generated, MkDocs about to build it
        return on_files(self, files, **kwargs)

    monkeypatch.setattr(CertfolioPlugin, "on_files", counting)
    result = build_site(config, tmp_path / "site")
    assert result.problems == [] and seen and seen[0] > 0


def test_the_command_freezes_everything_as_it_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(sys, "argv", ["certfolio", "schema"])

    def main() -> int:
        calls.append("main")
        return 0

    monkeypatch.setattr(cli, "main", main)
    monkeypatch.setattr(heap, "leaving", lambda: calls.append("leaving"))
    assert cli.command() == 0
    assert calls == ["main", "leaving"]
