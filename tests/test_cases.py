"""Bad-input cases kept as data: tests/cases/<name>/ holds the input and the exact output.

Each case is the minimal portfolio (tests/data/minimal) with changes on top:
- `files/`: files copied over the base (bytes as they are: BOMs, CRLF, Latin-1 ...);
- `case.yaml` (optional): `remove` (paths), `symlinks` ({path: target}), `generate`
  ({path: {text, repeat, then}} for large or deeply nested files), `args` (extra CLI
  arguments) and `exit` (expected exit code, default 1);
- `expected.txt`: the exact output of `certfolio validate` on the copy (paths are relative to
  the folder holding the portfolio, so they read `evidence/...`).

Set CERTFOLIO_UPDATE_CASES=1 to rewrite expected.txt from the current output (then review
the diff).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from generator.cli import main

from .conftest import DATA

CASES = Path(__file__).parent / "cases"
UPDATE = os.environ.get("CERTFOLIO_UPDATE_CASES") == "1"


def _prepare(case: Path, target: Path) -> dict[str, object]:
    shutil.copytree(DATA / "minimal", target)
    spec: dict[str, object] = {}
    if (case / "case.yaml").is_file():
        spec = yaml.safe_load((case / "case.yaml").read_text("utf-8")) or {}
    overlay = case / "files"
    if overlay.is_dir():
        shutil.copytree(overlay, target, dirs_exist_ok=True)
    for rel in spec.get("remove", []):  # type: ignore[attr-defined]
        path = target / rel
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    for rel, link_target in (spec.get("symlinks") or {}).items():  # type: ignore[attr-defined]
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(link_target, target / rel)
    for rel, gen in (spec.get("generate") or {}).items():  # type: ignore[attr-defined]
        text = gen.get("text", "") * gen.get("repeat", 1) + gen.get("then", "")
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        (target / rel).write_text(text, "utf-8")
    return spec


@pytest.mark.parametrize("name", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_case(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES / name
    (tmp_path / "outside.txt").write_text("OUTSIDE SECRET\n")
    spec = _prepare(case, tmp_path / "evidence")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    code = main(["validate", str(tmp_path / "evidence"), *spec.get("args", [])])  # type: ignore[list-item]
    out = capsys.readouterr()
    expected_file = case / "expected.txt"
    if UPDATE:
        expected_file.write_text(out.out)
    assert out.err == ""
    assert out.out == expected_file.read_text("utf-8")
    assert code == spec.get("exit", 1)
    assert "Traceback" not in out.out


def test_there_are_enough_cases() -> None:
    assert len([p for p in CASES.iterdir() if p.is_dir()]) >= 30
