"""The docs list every diagnostic code the code can emit, and nothing else."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

from .conftest import ROOT


def test_every_code_is_documented() -> None:
    emitted = set()
    for path in (ROOT / "generator").rglob("*.py"):
        emitted |= set(re.findall(r'"([EW][0-9]{3})"', path.read_text("utf-8")))
    documented = set(
        re.findall(
            r"^\| ([EW][0-9]{3}) \|",
            (ROOT / "docs" / "diagnostics.md").read_text("utf-8"),
            re.MULTILINE,
        )
    )
    assert emitted == documented


def test_the_format_reference_names_every_field() -> None:
    import json

    text = (ROOT / "docs" / "format.md").read_text("utf-8")
    for path in sorted((ROOT / "generator" / "schemas").glob("*.json")):
        schema = json.loads(path.read_text("utf-8"))
        for field in schema["properties"]:
            assert f"`{field}`" in text, (path.name, field)


def _prose(path: Path) -> str:
    """The comments and docstrings of a Python file (Markdown files are prose throughout)."""
    text = path.read_text("utf-8")
    if path.suffix != ".py":
        return text
    parts = [
        t.string
        for t in tokenize.generate_tokens(io.StringIO(text).readline)
        if t.type == tokenize.COMMENT
    ]
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            parts.append(ast.get_docstring(node) or "")
    return "\n".join(parts)


def test_comments_name_only_files_in_the_repository() -> None:
    """A repository path in a comment, docstring or doc (`docs/...`, `tests/...`) exists."""
    tops = ("docs", "generator", "tests", "site_templates", "benchmarks", ".ci")
    folders = "|".join(map(re.escape, tops))
    pattern = re.compile(rf"(?<![\w/.-])((?:{folders})/[\w./-]*\w|[A-Z][A-Z_]+\.md)\b")
    sources = [*(ROOT / "generator").rglob("*.py"), *(ROOT / "tests").glob("*.py")]
    sources += [*(ROOT / "benchmarks").glob("*.py"), *(ROOT / "docs").glob("*.md")]
    sources += [ROOT / "README.md"]
    assert len(sources) > 40
    missing = set()
    for path in sources:
        for name in pattern.findall(_prose(path)):
            if "<" in name or "*" in name or not (ROOT / name.rstrip(".")).exists():
                missing.add((path.relative_to(ROOT).as_posix(), name))
    assert not missing, sorted(missing)
