"""Coverage per standard (issue 14): a page per standard listing the clauses our requirements
map to, with the requirements' status and the evidence count per clause, and the clauses
nothing maps to when portfolio.yaml lists the standard's clauses; a mapping to a clause the
list does not hold is a warning with its position."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from generator.assess.status import assess_portfolio
from generator.diagnostics import Level, Report
from generator.engines.common import in_navigation, navigation
from generator.portfolio.validate import validate_portfolio
from generator.site import coverage, render
from generator.site.build import Site
from generator.site.escape import md_inline
from generator.site.i18n import Labels
from generator.site.render import default_templates

from .conftest import SAMPLE, copy_portfolio
from .test_split_registers import _data

ISO = "ISO-18295-1"


def _pages(root: Path) -> dict[str, str]:
    return render.render_pages(_data(root), [default_templates()])


def _row(page: str, clause: str) -> str:
    """The table row of `clause` on a coverage page."""
    rows = [line for line in page.splitlines() if line.startswith(f"| {md_inline(clause)} |")]
    assert len(rows) == 1, (clause, rows)
    return rows[0]


def _section(page: str, heading: str) -> str:
    """The text under `## heading`, up to the next heading."""
    return page.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def _add_to_portfolio_yaml(root: Path, old: str, new: str) -> None:
    path = root / "portfolio.yaml"
    text = path.read_text("utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), "utf-8")


def test_the_sample_lists_the_iso_clauses_with_their_status() -> None:
    raw = yaml.load((SAMPLE / "portfolio.yaml").read_text("utf-8"), Loader=yaml.BaseLoader)
    listed = next(s for s in raw["standards"] if s["id"] == ISO)["clauses"]
    assert [c["id"] for c in listed] == ["4", "4.3", "5", "6", "7", "8", "9"]
    portfolio, _ = validate_portfolio(SAMPLE)
    assert portfolio is not None
    assessment = assess_portfolio(portfolio)
    page = _pages(SAMPLE)[f"coverage/{ISO}.md"]
    assert "Release **2017**" in page
    for clause in listed:
        rids = sorted(
            rid
            for rid, r in portfolio.requirements.items()
            if any(x.standard == ISO and x.clause == clause["id"] for x in r.mappings)
        )
        assert rids, clause  # the sample maps every clause it lists
        statuses = [assessment.requirements[rid].status for rid in rids]
        if len(set(statuses)) == 1:
            expected = statuses[0]
        else:
            expected = "not met" if "not met" in statuses else "partly met"
        evidence = {e.id for e in portfolio.evidence.values() if set(e.supports) & set(rids)}
        row = _row(page, clause["id"])
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        assert cells[1] == md_inline(clause["title"])
        assert f"cf-{expected.replace(' ', '-')}" in cells[2]
        assert re.findall(r"requirements/([\w-]+)\.md", cells[3]) == rids
        for rid, status in zip(rids, statuses, strict=True):
            assert f'({"../requirements/"}{rid}.md) <span class="cf-status cf-' in cells[3]
            assert f'{rid}.md) <span class="cf-status cf-{status.replace(" ", "-")}"' in row
        assert cells[4] == str(len(evidence))
    # every listed clause is mapped: nothing is uncovered in the sample
    assert "Every clause listed for this release is mapped" in page
    # the partly met results requirements make 4.3 partly met; 5 is met
    assert "cf-partly-met" in _row(page, "4.3").split(" | ")[2]
    assert "cf-met" in _row(page, "5").split(" | ")[2]


def test_the_primary_standard_is_covered_by_the_requirements_themselves() -> None:
    pages = _pages(SAMPLE)
    page = pages["coverage/COPC-CX.md"]
    portfolio, _ = validate_portfolio(SAMPLE)
    assert portfolio is not None
    for rid, requirement in portfolio.requirements.items():
        assert md_inline(requirement.title) in _row(page, rid)
    assert "does not list this standard's clauses" in page
    index = pages["coverage/index.md"]
    assert "(../coverage/COPC-CX.md)" in index and f"(../coverage/{ISO}.md)" in index


def test_a_clause_nothing_maps_to_is_listed_as_uncovered(tmp_path: Path) -> None:
    root = copy_portfolio(SAMPLE, tmp_path / "evidence")
    _add_to_portfolio_yaml(
        root,
        '      - {id: "9", title: Working with the client organisation}\n',
        '      - {id: "9", title: Working with the client organisation}\n'
        '      - {id: "10", title: Looking after the data customers give us}\n'
        '      - {id: "4.10", title: Customers who need extra help}\n',
    )
    portfolio, report = validate_portfolio(root)
    assert portfolio is not None and report.errors == 0 and report.warnings == 0
    found = coverage.coverage(assess_portfolio(portfolio), portfolio.config.standards[1])
    assert [r.clause for r in found.uncovered] == ["10", "4.10"]  # in the list's order
    assert all(r.status is None and r.evidence == 0 for r in found.uncovered)
    page = _pages(root)[f"coverage/{ISO}.md"]
    gaps = _section(page, "Clauses nothing maps to")
    assert "| 10 | Looking after the data customers give us | " in gaps
    assert "| 4\\.10 | Customers who need extra help | " in gaps
    assert gaps.count("cf-uncovered") == 2
    assert "**Clauses nothing maps to:** 2" in page
    assert "\n| 10 |" not in _section(page, "Clauses our requirements map to")


def test_a_mapping_to_an_unlisted_clause_is_a_warning_at_its_position(tmp_path: Path) -> None:
    root = copy_portfolio(SAMPLE, tmp_path / "evidence")
    path = root / "requirements" / "PR" / "PR-05.yaml"
    text = path.read_text("utf-8")
    assert text.count('clause: "4"') == 1
    path.write_text(text.replace('clause: "4"', 'clause: "4.4"'), "utf-8")
    line = next(n for n, s in enumerate(path.read_text("utf-8").splitlines(), 1) if "4.4" in s)
    portfolio, report = validate_portfolio(root, Report())
    assert portfolio is not None  # a warning, not an error
    found = [d for d in report.diagnostics if d.code == "W606"]
    assert len(found) == 1
    warning = found[0]
    assert warning.level is Level.WARNING
    assert warning.span.path == "evidence/requirements/PR/PR-05.yaml"
    assert (warning.span.line, warning.span.col) == (line, 13)
    assert "'4.4'" in warning.message and ISO in warning.message
    assert warning.hint is not None and "did you mean '4.3'?" in warning.hint
    assert "evidence/portfolio.yaml" in warning.hint
    # the clause still shows on the coverage page, marked as not in the standard's list
    page = _pages(root)[f"coverage/{ISO}.md"]
    assert "| 4\\.4 (not in the standard's list) |" in page


def test_a_clause_listed_twice_is_an_error(tmp_path: Path) -> None:
    root = copy_portfolio(SAMPLE, tmp_path / "evidence")
    _add_to_portfolio_yaml(
        root,
        '      - {id: "8", title: "Systems, facilities and suppliers behind the service"}\n',
        '      - {id: "8", title: "Systems, facilities and suppliers behind the service"}\n'
        '      - {id: "8", title: Twice}\n',
    )
    portfolio, report = validate_portfolio(root, Report())
    assert portfolio is None
    errors = [d for d in report.diagnostics if d.code == "E200" and d.level is Level.ERROR]
    assert len(errors) == 1 and "'8'" in errors[0].message
    assert errors[0].span.path == "evidence/portfolio.yaml" and errors[0].span.line is not None


def test_without_a_list_any_clause_is_taken(tmp_path: Path) -> None:
    root = copy_portfolio(SAMPLE, tmp_path / "evidence")
    text = (root / "portfolio.yaml").read_text("utf-8")
    start = text.index("    clauses:")
    end = text.index("scope:\n")
    (root / "portfolio.yaml").write_text(text[:start] + text[end:], "utf-8")
    portfolio, report = validate_portfolio(root, Report())
    assert portfolio is not None and report.warnings == 0
    page = _pages(root)[f"coverage/{ISO}.md"]
    assert "Clauses nothing maps to" not in page.split("\n- ", 1)[0]
    assert "## Clauses nothing maps to" not in page


def test_clause_order_and_status_rules() -> None:
    assert sorted(["4.10", "10", "4.2", "A.1", "4", "9"], key=coverage.natural) == [
        "4",
        "4.2",
        "4.10",
        "9",
        "10",
        "A.1",
    ]
    assert coverage.clause_status(["met", "met"]) == "met"
    assert coverage.clause_status(["no evidence"]) == "no evidence"
    assert coverage.clause_status(["met", "no evidence"]) == "partly met"
    assert coverage.clause_status(["partly met", "not met", "met"]) == "not met"


def _site(pages: list[str]) -> Site:
    from generator.site.render import SourceInfo

    return Site({p: "" for p in pages}, {}, frozenset(), "en", SourceInfo(None, False, 0))


def test_coverage_pages_are_one_navigation_entry() -> None:
    pages = [
        "index.md",
        "portfolio.md",
        "categories/index.md",
        "coverage/index.md",
        "coverage/COPC-CX.md",
        f"coverage/{ISO}.md",
        f"coverage/{ISO}/1.md",
        f"coverage/{ISO}/2.md",
        "requests.md",
        "requests/1.md",
    ]
    nav = navigation(_site(pages), Labels("en"), [])
    entry = next(x for x in nav if "Coverage" in x)
    assert entry["Coverage"] == ["coverage/index.md", "coverage/COPC-CX.md", f"coverage/{ISO}.md"]
    assert {"Auditor request list": "requests.md"} in nav
    assert in_navigation(f"coverage/{ISO}.md") and not in_navigation(f"coverage/{ISO}/1.md")
    assert not in_navigation("requests/1.md")


def test_a_long_coverage_page_is_split(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "REGISTER_PAGE", 5)
    pages = _pages(SAMPLE)
    index = pages["coverage/COPC-CX.md"]
    parts = sorted(p for p in pages if p.startswith("coverage/COPC-CX/"))
    assert len(parts) >= 8  # 38 requirements, at most 5 rows a page
    for part in parts:
        assert f"(../{part})" in index
        assert "[Coverage: COPC CX Standard](../COPC-CX.md)" in pages[part]
    row = re.compile(r"^\| ([A-Z]{2}\\-\d\d) \|", re.M)
    listed = [rid for part in parts for rid in row.findall(pages[part])]
    assert len(listed) == 38
    assert "- [LP\\-01 – LP\\-05](../coverage/COPC-CX/1.md)" in index  # first and last clause
