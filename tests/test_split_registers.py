"""Large registers are split so that no page grows with the portfolio (issue 12): the owners
page becomes an index of owners and a page per owner, the warnings page a summary by code and
the warnings of each code on pages, and the requirements, metrics, findings and evidence
registers and the traceability matrix pages of rows. Small portfolios keep one page each.

The portfolios are `benchmarks/scale_gen.py`'s: one large enough to split at the real
thresholds (rendered only), and a small one with the thresholds lowered, built by MkDocs
(strict: a broken link fails the build)."""

from __future__ import annotations

import importlib
import posixpath
import re
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator.assess.lint import readiness
from generator.assess.status import assess_portfolio
from generator.diagnostics import Level, Report
from generator.engines.common import in_navigation
from generator.engines.mkdocs import build_site
from generator.portfolio.validate import validate_portfolio
from generator.site import paging, render
from generator.site.escape import md_inline
from generator.site.i18n import Labels
from generator.site.render import Published, SiteData, SourceInfo, default_templates

from .conftest import DATA, ROOT, SAMPLE
from .test_scale import TINY  # the scale benchmark's tiny portfolio
from .test_site import make_project

#: Large enough that owners, warnings, evidence and traceability split at the real thresholds.
LARGE = {
    "programs": 5,
    "series": 200,
    "months": 36,
    "evidence": 1500,
    "requirements": 70,
    "findings": 20,
}
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _scale_gen() -> ModuleType:
    """benchmarks/scale_gen.py, imported as the benchmark imports it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(ROOT / "benchmarks"))
        return importlib.import_module("scale_gen")


def _data(root: Path) -> SiteData:
    portfolio, report = validate_portfolio(root, Report())
    assert portfolio is not None, report.sorted()[:3]
    assessment = assess_portfolio(portfolio)
    alt = {k: f"chart of {k}" for k in [*portfolio.metrics, "overview", "findings"]}
    attachments = {
        a.path: Published(f"files/{a.path}", 52, "0" * 64)
        for e in portfolio.evidence.values()
        for a in e.attachments
    }
    warnings = [d for d in report.sorted() if d.level is Level.WARNING]
    labels = Labels(portfolio.config.language)
    source = SourceInfo(None, False, 0)
    return SiteData(assessment, labels, source, alt, attachments, readiness(assessment), warnings)


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> tuple[SiteData, dict[str, str]]:
    root = tmp_path_factory.mktemp("large") / "portfolio"
    _scale_gen().generate(root, **LARGE)
    data = _data(root)
    return data, render.render_pages(data, [default_templates()])


def _links(pages: dict[str, str], page: str, counted: bool = False) -> Any:
    """The pages `page` links to, as paths from the site root (anchors dropped): a set, or
    with `counted` how many times each."""
    folder = posixpath.dirname(page)
    found: Counter[str] = Counter()
    for target in _LINK.findall(pages[page]):
        path = target.split("#")[0]
        if path and "://" not in path:
            found[posixpath.normpath(posixpath.join(folder, path))] += 1
    return found if counted else set(found)


def _under(pages: dict[str, str], folder: str) -> list[str]:
    return sorted(p for p in pages if p.startswith(f"{folder}/"))


def _body(page: str) -> str:
    return page.split("\n---\n", 1)[1]


# --- small portfolios -------------------------------------------------------------------------


@pytest.mark.parametrize("root", [DATA / "minimal", SAMPLE], ids=["minimal", "sample"])
def test_small_portfolios_keep_one_page(root: Path) -> None:
    pages = render.render_pages(_data(root), [default_templates()])
    assert "owners.md" in pages and "warnings.md" in pages and "traceability.md" in pages
    for folder in ("owners", "warnings", "traceability"):
        assert _under(pages, folder) == [], folder
    assert not [p for p in pages if "/register-" in p]
    assert '=== "' in pages["evidence/index.md"]  # the three orders as tabs
    people = _data(root).assessment.portfolio.config.people
    assert all(f"## {md_inline(p.role)}" in pages["owners.md"] for p in people)


# --- a large portfolio at the real thresholds -------------------------------------------------


def test_large_registers_are_split(large: tuple[SiteData, dict[str, str]]) -> None:
    data, pages = large
    people = data.assessment.portfolio.config.people
    assert len(_under(pages, "owners")) >= len(people)
    assert _under(pages, "warnings")
    assert [p for p in pages if p.startswith("evidence/register-")]
    assert [p for p in pages if p.startswith("traceability/")]
    registers = ("owners", "warnings", "traceability", "evidence/register-")
    for page, text in pages.items():
        if page.startswith(registers) or (page.endswith("/index.md")):  # not the home page
            assert len(_body(text).encode()) <= render.PAGE_BYTES + 500, page
    assert not any(in_navigation(p) for p in [*_under(pages, "owners"), *_under(pages, "warnings")])


def test_every_split_page_is_linked_from_its_index(
    large: tuple[SiteData, dict[str, str]],
) -> None:
    _, pages = large
    for index, folder in (("owners.md", "owners"), ("warnings.md", "warnings")):
        assert set(_under(pages, folder)) <= _links(pages, index), index
    evidence = [p for p in pages if p.startswith("evidence/register-")]
    assert set(evidence) <= _links(pages, "evidence/index.md")
    matrix = _links(pages, "traceability.md")
    for page in _under(pages, "traceability"):  # a category's first page, or its pager
        linked = page in matrix or any(
            page in _links(pages, p) for p in _under(pages, "traceability")
        )
        assert linked, page
    for page in [*_under(pages, "owners"), *_under(pages, "warnings")]:  # and back
        assert {"owners.md", "warnings.md"} & _links(pages, page), page


def test_every_owner_and_what_they_own_appears_once(
    large: tuple[SiteData, dict[str, str]],
) -> None:
    data, pages = large
    portfolio = data.assessment.portfolio
    held = paging.owned(portfolio)
    headings: Counter[str] = Counter()
    for person in portfolio.config.people:
        name = paging.page_name(person.id)
        listed: Counter[str] = Counter()
        for page in [f"owners/{name}.md", *_under(pages, f"owners/{name}")]:
            headings[_body(pages[page]).split("\n", 2)[1]] += 1
            listed.update(_links(pages, page, counted=True))
        expected = Counter(
            render.page_path(kind, ident)
            for kind in ("requirement", "evidence", "metric", "finding")
            for ident in held[person.id][kind]
        )
        expected.update(render.page_path("finding", fid) for fid, _ in held[person.id]["action"])
        records = Counter({k: n for k, n in listed.items() if not k.startswith("owners")})
        assert records == expected, person.id
    # one heading per owner: its first page, the later ones numbered
    names = [f"# {p.role}" for p in portfolio.config.people]
    assert sorted(h for h in headings if h in names) == sorted(names)
    assert all(headings[h] == 1 for h in names)
    assert {f"owners/{paging.page_name(p.id)}.md" for p in portfolio.config.people} <= _links(
        pages, "owners.md"
    )


def test_every_warning_appears_once(large: tuple[SiteData, dict[str, str]]) -> None:
    data, pages = large
    rows: Counter[str] = Counter()
    for page in _under(pages, "warnings"):
        rows.update(re.findall(r"^\|.*?`([^`]+)` \|", _body(pages[page]), re.M))
    expected = [str(r.diagnostic.span) for r in data.readiness]
    expected += [str(d.span) for d in data.validation]
    assert sum(rows.values()) == len(expected) > render.REGISTER_PAGE
    assert rows == Counter(expected)
    summary = pages["warnings.md"]
    for code in {r.diagnostic.code for r in data.readiness}:
        assert f"| {code} |" in summary


# --- the pieces -------------------------------------------------------------------------------


def test_runs_fit_their_limits() -> None:
    rows = [1, 1, 1, 9, 1, 1, 30, 1, 1, 1, 1]
    found = paging.runs(rows, sum, most_rows=3, most_bytes=10)
    assert [x for run in found for x in run] == rows
    assert all(len(run) <= 3 for run in found)
    assert all(sum(run) <= 10 for run in found if len(run) > 1)
    assert [30] in found  # too large for any page: a page of its own
    assert paging.runs([], sum, 3, 10) == [[]]


def test_runs_that_fit_by_rows_are_measured_once_each() -> None:
    measured: list[list[int]] = []

    def size(run: list[int]) -> int:
        measured.append(run)
        return sum(run)

    rows = [1] * 7
    found = paging.runs(rows, size, most_rows=3, most_bytes=10)
    assert found == [[1, 1, 1], [1, 1, 1], [1]] and measured == found
    measured.clear()
    heavy = [4] * 6  # three rows fit by count, not by bytes: filled by their weight
    found = paging.runs(heavy, size, most_rows=3, most_bytes=10)
    assert found == [[4, 4]] * 3 and all(sum(run) <= 10 for run in found)


def test_runs_too_large_by_bytes_are_filled_by_their_rows_weight() -> None:
    measured: list[list[int]] = []

    def size(run: list[int]) -> int:
        measured.append(run)
        return sum(run)

    rows = [3] * 40  # 120 bytes, one run by count: each row weighs 3, a page holds 17 of 20
    found = paging.runs(rows, size, most_rows=100, most_bytes=20)
    assert found == [[3] * 5] * 8
    assert measured == [rows, *found]  # the whole once, then each page once
    measured.clear()
    uneven = [1] * 10 + [9] * 10  # the estimate is the average: too low for the heavy half
    found = paging.runs(uneven, size, most_rows=100, most_bytes=20)
    assert [x for run in found for x in run] == uneven
    assert all(sum(run) <= 20 for run in found) and len(found) < len(uneven)


def test_a_page_measured_at_the_same_depth_is_not_rendered_again() -> None:
    rendered: list[tuple[str, int]] = []
    stored: dict[str, str] = {}

    def text(path: str, template: str, /, **context: Any) -> str:
        rendered.append((path, len(context.get("a", {}))))
        prefix = "../" * path.count("/")
        rows = "".join(f"| [{r}]({prefix}requirements/{r}.md) |\n" for r in context.get("a", {}))
        return f"# Register\n\n{rows}"

    def store(path: str, title: str, body: str, /) -> None:
        stored[path] = body

    book = paging.Book(text, store, Labels("en"), most_rows=4, most_bytes=10_000)
    rows = {f"R-{n:02}": n for n in range(10)}
    book.register("requirements", "r.md.j2", "Requirements", rows, lambda run: {"a": run}, "x")
    pages = [p for p, _ in rendered if p != "requirements/index.md"]
    assert pages == ["requirements/register-1.md"] * 3  # measured, then reused as they are
    assert [p for p in stored if "register-" in p] == [
        f"requirements/register-{n}.md" for n in (1, 2, 3)
    ]
    assert "[R-04](../requirements/R-04.md)" in stored["requirements/register-2.md"]
    rendered.clear()
    book._runs(list(rows.items()), "owners/qa.md", "o.md.j2", lambda run: {"a": dict(run)})
    chunk = list(book._measured.values())[1][0]
    book._body("owners/qa/2.md", "o.md.j2", chunk, lambda run: {"a": dict(run)})  # deeper
    assert rendered[-1] == ("owners/qa/2.md", 4)


def test_the_pager_links_the_neighbours() -> None:
    parts = ["owners/qa.md", "owners/qa/2.md", "owners/qa/3.md"]
    line = paging.pager(parts[1], parts, ("owners.md", "Owners"))
    assert line == "[← 1](../qa.md) · [Owners](../../owners.md) · [3 →](3.md)"
    body = paging.under_heading("# Owners\n\n| a |\n", line, " 2/3")
    assert body.startswith("# Owners 2/3\n\n[← 1](../qa.md)") and "\n\n| a |" in body
    assert paging.page_name("index") == "index_" and paging.page_name("qa") == "qa"


# --- a small portfolio split by lowered thresholds, built by MkDocs ------------------------


def test_a_split_site_builds_and_every_link_resolves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render, "PAGE_BYTES", 300)
    monkeypatch.setattr(render, "REGISTER_PAGE", 2)
    _scale_gen().generate(tmp_path / "generated", **TINY)
    config = make_project(tmp_path / "project", tmp_path / "generated")
    result = build_site(config, tmp_path / "site")
    assert result.problems == []  # strict: a broken link fails the build
    site = tmp_path / "site"
    for folder in ("owners", "warnings", "traceability"):  # continued in a folder each
        assert list((site / folder).glob("*/2.html")), folder
    for folder in ("requirements", "metrics", "findings", "evidence"):
        assert (site / folder / "register-2.html").is_file(), folder
    owners = (site / "owners.html").read_text("utf-8")
    assert "owners/quality-manager.html" in owners
    assert "register-2.html" in (site / "requirements" / "index.html").read_text("utf-8")
    page: Any = site / "requirements" / "register-2.html"
    assert "register-1.html" in page.read_text("utf-8")
