"""The home page says what needs attention, and the About page says who is certified against
what: on the sample (its four partly met requirements and its failing metric, as the shared
domain notes gives them), on a portfolio with many gaps (the lists stay short and point at
the registers) and on a portfolio with scope exclusions, in English and Norwegian."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from generator.site.render import default_templates, render_pages

from .conftest import DATA, ROOT, SAMPLE
from .test_render import site_data


def _section(page: str, heading: str) -> str:
    """The text of a `## heading` section, up to the next `## ` heading."""
    start = page.index(f"## {heading}\n")
    end = page.find("\n## ", start + 1)
    return page[start : end if end > 0 else None]


def _linked(text: str, folder: str) -> list[str]:
    return re.findall(rf"\]\({folder}/([^)/]+)\.md\)", text)


def test_the_sample_home_page_names_every_gap_with_its_reason() -> None:
    pages = render_pages(site_data(SAMPLE), [default_templates()])
    attention = _section(pages["index.md"], "Needs attention")
    rows = [line for line in attention.splitlines() if line.startswith("| [")]
    requirements = [_linked(row, "requirements")[0] for row in rows if "requirements/" in row]
    assert sorted(requirements) == ["PE-04", "PR-08", "RS-04", "RS-07"]  # the domain notes' four
    for row in rows:
        if "requirements/" in row:  # status, then a reason that links its cause
            assert "partly met" in row and re.search(r"\| \[(F|M)[-\w\\]*\]\(", row), row
    metric_rows = [r for r in rows if r.startswith("| [M")]
    assert [_linked(r, "metrics")[0] for r in metric_rows] == ["M13"]  # the one metric not met
    assert "not met" in metric_rows[0] and "trend is falling" in metric_rows[0]
    assert "Evidence due for review or expired** (3)" in attention
    assert "](portfolio.md)" in pages["index.md"]


def test_the_about_page_names_the_standards_and_the_scope() -> None:
    pages = render_pages(site_data(SAMPLE), [default_templates()])
    about = pages["portfolio.md"]
    assert "Harbour Lane Customer Services Ltd" in about
    standards = _section(about, "Standards")
    assert "| COPC CX Standard (`COPC-CX`) | 7\\.0 | Contact Centers | primary" in standards
    assert "ISO 18295\\-1 (`ISO-18295-1`)" in standards and "| 2017 |" in standards
    scope = _section(about, "Certified scope")
    for unit in ("`ENT`", "`GLA`", "`GDN`", "`P1`", "`P2`", "`SUP-CCAAS`", "`SUP-SURVEY`"):
        assert unit in scope
    assert "About 180 agents" in scope and "Ashmoor Energy | Glasgow | voice, email" in scope
    assert "**Channels:** Voice, Email, Chat" in scope and "Complaint handling" in scope
    assert "lists nothing as out of scope" in scope


def test_exclusions_are_listed_and_the_page_speaks_the_portfolio_language(
    tmp_path: Path,
) -> None:
    root = shutil.copytree(DATA / "minimal", tmp_path / "portfolio")
    config = root / "portfolio.yaml"
    text = config.read_text("utf-8")
    exclusions = (
        "  exclusions:\n"
        "    - name: Back-office collections\n"
        "      reason: Run by the client's own staff, not by us.\n"
    )
    config.write_text(text.replace("scope:\n", "scope:\n" + exclusions, 1), "utf-8")
    about = render_pages(site_data(root), [default_templates()])["portfolio.md"]
    assert "| Back\\-office collections | Run by the client's own staff, not by us\\. |" in about
    about_nb = render_pages(site_data(root, "nb"), [default_templates()])["portfolio.md"]
    assert "## Sertifisert omfang" in about_nb and "Back\\-office collections" in about_nb


def test_a_portfolio_with_many_gaps_keeps_its_home_page_short(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    scale_gen: ModuleType = pytest.importorskip("scale_gen")
    root = tmp_path / "portfolio"
    scale_gen.generate(
        root, programs=2, series=6, months=24, evidence=20, requirements=90, findings=3
    )
    data = site_data(root)
    pages = render_pages(data, [default_templates()])
    gaps = [r for r in data.assessment.requirements.values() if r.status != "met"]
    assert len(gaps) > 50
    attention = _section(pages["index.md"], "Needs attention")
    listed = [i for i in _linked(attention, "requirements") if i != "index"]
    assert len(listed) == 50 and set(listed) <= {r.requirement.id for r in gaps}
    assert f"and {len(gaps) - 50} more: [Requirements](requirements/index.md)" in attention
