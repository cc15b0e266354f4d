"""Publishing mid-journey: a portfolio with warnings builds, and shows them; --strict refuses.

For most of an 18-month certification journey some requirements have no evidence yet and
some metric has a gap. The site is still published: "no evidence" on the requirement and home
pages, every warning on the readiness warnings page. `certfolio site --strict` is the CI gate.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import DATA
from .test_output import run
from .test_site import make_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    config = make_project(tmp_path / "project", DATA / "minimal")
    root = config.parent
    (root / "evidence" / "requirements" / "AA" / "AA-03.yaml").write_text(
        "id: AA-03\ntitle: Not started yet\ncategory: AA\nwording: Something still to do.\n",
        "utf-8",
    )
    data = root / "evidence" / "metrics" / "M1.csv"
    lines = data.read_text("utf-8").splitlines()
    data.write_text("\n".join([lines[0], *lines[1:3], *lines[4:]]) + "\n", "utf-8")  # a gap
    return root


def test_warnings_do_not_stop_the_site_and_are_shown(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(["site"], project, capsys)
    assert code == 0, out
    site = project / "site"
    requirement = (site / "requirements" / "AA-03.html").read_text("utf-8")
    assert "no evidence" in requirement
    home = (site / "index.html").read_text("utf-8")
    assert "Requirements without evidence yet" in home and "AA-03" in home
    warnings = (site / "warnings.html").read_text("utf-8")
    assert "W600" in warnings and "AA-03" in warnings
    assert "W501" in warnings and "gap in the data" in warnings


def test_strict_refuses_and_lists_the_warnings(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(["site", "--strict"], project, capsys)
    assert code == 1
    assert "requirement 'AA-03' has no evidence [W600]" in out
    assert "gap in the data" in out
    assert not (project / "site").exists()


def test_an_annotation_that_explains_the_gap_clears_its_warning(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    metric = project / "evidence" / "metrics" / "M1.yaml"
    csv_lines = (project / "evidence" / "metrics" / "M1.csv").read_text("utf-8").splitlines()
    present = {line.split(",")[0] for line in csv_lines[1:]}
    missing = next(p for p in ("2024-03", "2024-02", "2024-04") if p not in present)
    metric.write_text(
        metric.read_text("utf-8") + f"annotations:\n  - period: {missing}\n    kind: event\n"
        "    text: Reporting system migration, no data that month.\n",
        "utf-8",
    )
    code, out = run(["validate", "evidence"], project, capsys)
    assert "W501" not in out and code == 0, out
