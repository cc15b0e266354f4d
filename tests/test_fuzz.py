"""Property: whatever happens to a file of the sample, certfolio answers with a positioned error.

Hypothesis mutates one YAML or CSV file of the sample portfolio at a time (inserting hostile
text, deleting a slice, replacing or repeating a line, truncating) and runs `certfolio
validate` in-process. The exit code is 0, 1 or 2 only (3 is an internal error, a bug), no
traceback is printed, and every error names a file, with a line wherever the problem sits in
one (problems with a whole file, such as its size, have none by design). A mutated portfolio
that still validates must also assess and export without an exception.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.assess.export import assessment_json
from generator.assess.lint import lint_assessment
from generator.assess.status import assess_portfolio
from generator.cli import main
from generator.diagnostics import Level
from generator.portfolio.validate import validate_portfolio

from .conftest import SAMPLE

#: Codes that speak of a whole file or folder and so carry no line.
WHOLE_FILE = {f"E00{i}" for i in range(10)} | {"E101", "E102", "E103", "E104", "E105", "E106"}

HOSTILE = st.text(
    alphabet=st.sampled_from(
        [
            *":-[]{}&*!|>'\"%@`#,?\n\t\r 0123456789.eE+aZ\\",
            *("\x00", "\x1b", "\u202e", "\u200b", "\ufeff", "é", "ø", "𝔘", "\ud800"),
        ]
    ),
    min_size=1,
    max_size=40,
)


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("fuzz") / "evidence"
    shutil.copytree(SAMPLE, root)
    yield root


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".csv"))


@st.composite
def mutations(draw: st.DrawFn) -> tuple[int, str, float, float, str]:
    op = draw(st.sampled_from(["insert", "delete", "replace_line", "repeat_line", "truncate"]))
    return (
        draw(st.integers(min_value=0, max_value=10_000)),
        op,
        draw(st.floats(min_value=0, max_value=1)),
        draw(st.floats(min_value=0, max_value=0.2)),
        draw(HOSTILE),
    )


def _mutate(text: str, op: str, where: float, span: float, payload: str) -> str:
    at = int(len(text) * where)
    lines = text.split("\n")
    line = min(int(len(lines) * where), len(lines) - 1)
    if op == "insert":
        return text[:at] + payload + text[at:]
    if op == "delete":
        return text[:at] + text[at + max(1, int(len(text) * span)) :]
    if op == "replace_line":
        return "\n".join([*lines[:line], payload, *lines[line + 1 :]])
    if op == "repeat_line":
        return "\n".join([*lines[: line + 1], lines[line], *lines[line + 1 :]])
    return text[:at]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(mutation=mutations())
def test_any_mutation_gets_a_positioned_answer(
    portfolio: Path,
    capsys: pytest.CaptureFixture[str],
    mutation: tuple[int, str, float, float, str],
) -> None:
    index, op, where, span, payload = mutation
    files = _files(portfolio)
    target = files[index % len(files)]
    original = target.read_bytes()
    text = original.decode("utf-8")
    mutated = _mutate(text, op, where, span, payload)
    try:
        target.write_bytes(mutated.encode("utf-8", errors="surrogatepass"))
        code = main(["validate", str(portfolio)])
        out = capsys.readouterr()
        assert code in (0, 1, 2), out
        assert "Traceback" not in out.out + out.err and "internal error" not in out.err
        result, report = validate_portfolio(portfolio)
        for diagnostic in report.diagnostics:
            if diagnostic.level is Level.ERROR:
                assert diagnostic.span.path, diagnostic
                assert diagnostic.span.line > 0 or diagnostic.code in WHOLE_FILE, diagnostic
        if result is not None:
            assessment = assess_portfolio(result)
            assert assessment_json(assessment, lint_assessment(assessment))
    finally:
        target.write_bytes(original)
