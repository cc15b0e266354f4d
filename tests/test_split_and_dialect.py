"""Metrics reported per program (scoped targets, annotations, comparators) and CSV dialects.

tests/data/split is a small valid portfolio: K01 is reported for P1 and P2 with a target for
both programs, a raised one for P2 and a phase start at P1's site only; K02's data file is a
Norwegian spreadsheet export (`;` between fields, decimal comma), K03's is tab-separated.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import model as m
from generator.diagnostics import Diagnostic, Report, Span
from generator.portfolio.csvparse import Dialect, cell_columns, parse_csv
from generator.portfolio.validate import validate_portfolio

from .conftest import DATA

SPLIT = DATA / "split"


@pytest.fixture(scope="module")
def split() -> m.Portfolio:
    portfolio, report = validate_portfolio(SPLIT)
    assert report.diagnostics == []
    assert portfolio is not None
    return portfolio


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SPLIT, tmp_path / "split"))


def text(d: Diagnostic) -> str:
    hint = f"\n  hint: {d.hint}" if d.hint else ""
    return f"{d.span}: {d.level}: {d.message} [{d.code}]{hint}"


def lines(root: Path) -> list[str]:
    _, report = validate_portfolio(root)
    return [text(d) for d in report.sorted()]


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")


# --- the CSV dialect -----------------------------------------------------------------------


def test_a_norwegian_export_reads_with_its_decimal_comma(split: m.Portfolio) -> None:
    k02 = split.metrics["K02"]
    text = (SPLIT / "metrics" / "K02.csv").read_text("utf-8").splitlines()
    assert text[1].startswith("2023-01;") and "," in text[1]
    assert [o.value for o in k02.observations[:2]] == [
        float(row.split(";")[1].replace(",", ".")) for row in text[1:3]
    ]
    assert all(o.n is not None and o.n >= 400 for o in k02.observations)
    assert len(k02.observations) == 24


def test_a_tab_separated_export_reads_too(split: m.Portfolio) -> None:
    k03 = split.metrics["K03"]
    first = (SPLIT / "metrics" / "K03.csv").read_text("utf-8").splitlines()[1]
    assert k03.observations[0].value == float(first.split("\t")[1].replace(",", "."))
    assert len(k03.observations) == 24


def test_dialect_errors_keep_their_exact_positions(copy: Path) -> None:
    k02, k03 = copy / "metrics" / "K02.csv", copy / "metrics" / "K03.csv"
    # a value with '.' on line 4, and the old row's cells after a bad period on line 5
    replace(k02, "\n2023-03;", "\n2023-03;86.1;410\n#;")
    replace(k03, "\n2023-02\t", "\n2023-02\t358.5\n#\t")
    out = lines(copy)
    assert out[0] == (
        "split/metrics/K02.csv:4:9: error: 'value' must be a plain number (digits, '-' and "
        "','), got '86.1' [E505]\n"
        "  hint: the metric declares csv: {decimal: \",\"}: write '86,1'"
    )
    assert out[2].startswith(
        "split/metrics/K03.csv:3:9: error: 'value' must be a plain number (digits, '-' and "
        "','), got '358.5' [E505]"
    )
    assert out[1].startswith("split/metrics/K02.csv:5:1: error: 'period' must be a month")
    assert out[3].startswith("split/metrics/K03.csv:4:1: error: 'period' must be a month")


def test_a_semicolon_file_without_the_declaration_names_the_setting(copy: Path) -> None:
    replace(copy / "metrics" / "K02.yaml", 'csv:\n  decimal: ","\n  delimiter: ";"\n', "")
    (error,) = validate_portfolio(copy)[1].sorted()
    assert text(error) == (
        "split/metrics/K02.csv:1:1: error: unknown column 'period;value;n' [E501]\n"
        "  hint: the columns are separated by ';': declare it in the metric's YAML file with "
        'csv: {delimiter: ";", decimal: ","}'
    )


def test_a_decimal_comma_in_a_default_file_gets_a_hint() -> None:
    report = Report()
    table = parse_csv('period,value\n2024-01,"79,5"\n', "M.csv", report)
    assert table is not None and report.diagnostics == []
    assert table.rows[0]["value"].text == "79,5"
    assert table.rows[0]["value"].span == Span("M.csv", 2, 9)


def test_cells_are_positioned_in_each_dialect() -> None:
    assert cell_columns('2024-01;"a;b";7', ";") == [1, 9, 15]
    assert cell_columns("2024-01\t79,5", "\t") == [1, 9]
    report = Report()
    table = parse_csv("period;value;note\n2024-01;79,5;fin\n", "M.csv", report, Dialect(";", ","))
    assert table is not None
    assert [c.span.col for c in table.rows[0].values()] == [1, 9, 14]


def test_the_dialect_comes_from_the_metric_document() -> None:
    assert Dialect.of({"csv": {"decimal": ","}}) == Dialect(",", ",")
    assert Dialect.of({"csv": {"delimiter": "\t", "decimal": ","}}) == Dialect("\t", ",")
    assert Dialect.of({}) == Dialect()
    assert Dialect(";", ",").to_float("-79,5") == -79.5
    assert Dialect(";", ",").number.fullmatch("79.5") is None


def test_the_guard_reads_data_files_in_their_dialect(copy: Path) -> None:
    k02 = copy / "metrics" / "K02.csv"
    rows = k02.read_text("utf-8").splitlines()
    k02.write_text(
        "\n".join(
            [rows[0] + ";note", rows[1] + ";ring oss", rows[2] + ";svar til ola@fjordlys.no"]
            + [r + ";" for r in rows[3:]]
        )
        + "\n",
        "utf-8",
    )
    (error,) = [d for d in validate_portfolio(copy)[1].sorted() if d.code == "E803"]
    assert error.span.line == 3
    assert "in column 'note'" in error.message


# --- scope on targets, annotations and comparators ------------------------------------------


def test_a_scoped_target_wins_for_its_scope(split: m.Portfolio) -> None:
    k01 = split.metrics["K01"]
    assert k01.scope == ("P1", "P2")

    def value(month: str, scope: str | None = None) -> float | None:
        target = k01.target_for(m.Month.parse(month), scope)
        return None if target is None else target.value

    assert (value("2023-06", "P1"), value("2023-06", "P2")) == (80, 80)
    assert (value("2024-06", "P1"), value("2024-06", "P2")) == (80, 85)
    assert value("2024-06") == 80  # without a scope, a split metric's targets for all
    assert [t.scope for t in k01.targets] == [None, "P2"]


def test_a_phase_start_at_one_site_applies_to_its_program(split: m.Portfolio) -> None:
    k01 = split.metrics["K01"]
    phases = {s: [a.period for a in k01.annotations_for(s) if a.kind == "phase"] for s in k01.scope}
    assert phases == {"P1": [m.Month(2024, 3)], "P2": []}
    assert [a.scope for a in k01.annotations] == ["P1", None]
    assert [c.label for c in k01.comparators_for("P2")] == ["Budget"]
    assert [c.scope for c in k01.comparators] == ["P1", None]


def test_a_single_scope_metric_may_name_its_scope() -> None:
    target = m.Target(m.Month(2024, 1), None, 80, None, None, "r", Span("x"), "P1")
    metric = m.Metric(
        "M", "t", None, None, (), "%", 1, "higher", ("P1",), None, "o", False, None,
        (target,), (), (), (), "M.csv", (), None, Span("x"),
    )  # fmt: skip
    assert metric.target_for(m.Month(2024, 2)) is target
    assert metric.target_for(m.Month(2023, 12)) is None


def test_every_message_about_a_split_metric_names_its_scope(copy: Path) -> None:
    k01 = copy / "metrics" / "K01.yaml"
    replace(k01, "  - from: 2023-01\n    value: 80", "  - from: 2023-03\n    value: 80")
    csv = copy / "metrics" / "K01.csv"
    rows = csv.read_text("utf-8").splitlines()
    csv.write_text("\n".join(r for r in rows if not r.startswith("2023-07,")) + "\n", "utf-8")
    out = lines(copy)
    assert out == [
        "split/metrics/K01.csv:8:1: warning: gap in the data for scope P1: no value for 2023-07 "
        "[W501]\n  hint: add the missing months, or annotate why there is no data",
        "split/metrics/K01.csv:31:1: warning: gap in the data for scope P2: no value for "
        "2023-07 [W501]\n  hint: add the missing months, or annotate why there is no data",
        "split/metrics/K01.yaml:15:3: warning: no target in force for scope P1: 2023-01 to "
        "2023-02 [W502]\n  hint: add a target for scope P1, or one for every scope, covering "
        "every month with data",
        "split/metrics/K01.yaml:15:3: warning: no target in force for scope P2: 2023-01 to "
        "2023-02 [W502]\n  hint: add a target for scope P2, or one for every scope, covering "
        "every month with data",
    ]
    assert len(set(out)) == len(out)


def test_targets_for_one_scope_must_not_overlap(copy: Path) -> None:
    replace(
        copy / "metrics" / "K01.yaml",
        "    scope: P2\n    rationale: Raised in P2's 2024 agreement (EV-01).\n",
        "    scope: P2\n    rationale: Raised in P2's 2024 agreement (EV-01).\n"
        "  - {from: 2024-06, value: 86, scope: P2, rationale: Raised again.}\n"
        "  - {from: 2024-06, value: 81, scope: P1, rationale: P1 raised.}\n",
    )
    assert lines(copy) == [
        "split/metrics/K01.yaml:22:5: error: target from 2024-06 for scope P2 overlaps the "
        "target from 2024-01 (line 18) [E507]\n"
        "  hint: end the earlier target with 'to:' the month before"
    ]
