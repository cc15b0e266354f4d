"""Shared fixtures: small portfolios copied into a temporary folder for each test."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "evidence"


def copy_portfolio(source: Path, target: Path) -> Path:
    """Copy a portfolio folder (symlinks copied as links) and return the copy's path."""
    shutil.copytree(source, target, symlinks=True)
    return target


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    """A valid 10-file portfolio (tests/data/minimal) at <tmp>/evidence, free to modify."""
    return copy_portfolio(DATA / "minimal", tmp_path / "evidence")


class CollectorSpy:
    """The `gc` module, recording calls to `freeze` and `unfreeze`: set in place of a module's
    `gc` to check what it asks of the collector (frozen objects still die when nothing refers
    to them, so the freeze count is no measure)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> object:
        return getattr(gc, name)

    def freeze(self) -> None:
        self.calls.append("freeze")
        gc.freeze()

    def unfreeze(self) -> None:
        self.calls.append("unfreeze")
        gc.unfreeze()
