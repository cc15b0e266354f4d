"""The PDF binder (`certfolio pdf`) of the sample, printed by Chromium and read back with pypdf.

One binder is built for the module and a second one for the determinism check. What an
auditor relies on is checked in the file itself: a bookmark for every category with its
requirements under it (and for every metric and finding), a cover with the organisation, the
standard and its release, the scope, the as-of date and the source commit, contents whose page
numbers are where the sections start and link to them, page numbers in every footer, vector
charts, metadata that never comes from the clock, and the same bytes on every build.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from generator.portfolio.validate import validate_portfolio

from ..conftest import ROOT, SAMPLE
from .conftest import CHROMIUM, unavailable

pytestmark = pytest.mark.browser

#: The sample's binder: about 210 pages; room for pages that other features add.
PAGES = range(150, 401)


@dataclass
class Built:
    path: Path
    reader: PdfReader
    seconds: float


def _build(target: Path) -> tuple[Path, float]:
    from generator.engines.pdf import build_pdf

    result = build_pdf(ROOT / "mkdocs.yml", target)
    assert result.problems == [], result.problems
    assert result.path == target
    return target, result.timings["total"]


@pytest.fixture(scope="module")
def binder(tmp_path_factory: pytest.TempPathFactory) -> Built:
    try:
        import playwright  # noqa: F401
    except ImportError:
        unavailable("Playwright for Python is not installed (the `test` extras have it)")
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"Chromium is not installed ({CHROMIUM} is missing)")
    path, seconds = _build(tmp_path_factory.mktemp("pdf") / "binder.pdf")
    return Built(path, PdfReader(path), seconds)


def _outline(reader: PdfReader) -> list[tuple[str, int, list[Any]]]:
    """The outline as (title, page index, children) trees."""
    tree: list[tuple[str, int, list[Any]]] = []
    for item in reader.outline:
        if isinstance(item, list):
            title, page, _ = tree[-1]
            tree[-1] = (title, page, _outline_of(reader, item))
        else:
            tree.append((item.title, reader.get_destination_page_number(item), []))
    return tree


def _outline_of(reader: PdfReader, items: list[Any]) -> list[tuple[str, int, list[Any]]]:
    tree: list[tuple[str, int, list[Any]]] = []
    for item in items:
        if isinstance(item, list):
            title, page, _ = tree[-1]
            tree[-1] = (title, page, _outline_of(reader, item))
        else:
            tree.append((item.title, reader.get_destination_page_number(item), []))
    return tree


def _text(reader: PdfReader, index: int) -> str:
    return " ".join(reader.pages[index].extract_text().split())


@pytest.fixture(scope="module")
def sample() -> Any:
    portfolio, report = validate_portfolio(SAMPLE)
    assert portfolio is not None, report
    return portfolio


def test_every_category_and_requirement_has_a_bookmark(binder: Built, sample: Any) -> None:
    outline = {title: (page, children) for title, page, children in _outline(binder.reader)}
    assert "Categories" in outline and "Metrics" in outline and "Findings" in outline
    categories = {title.split()[0]: (page, kids) for title, page, kids in outline["Categories"][1]}
    assert list(categories) == [c.id for c in sample.config.categories]
    for category in sample.config.categories:
        page, children = categories[category.id]
        expected = [r.id for r in sample.requirements.values() if r.category == category.id]
        assert [title.split()[0] for title, _, _ in children] == expected
        assert all(child_page >= page for _, child_page, _ in children)
    metrics = [title.split()[0] for title, _, _ in outline["Metrics"][1]]
    assert metrics == sorted(sample.metrics)
    findings = [title.split()[0] for title, _, _ in outline["Findings"][1]]
    assert findings == sorted(sample.findings)


def test_the_page_count_is_in_the_expected_range(binder: Built) -> None:
    assert len(binder.reader.pages) in PAGES


def test_the_cover_names_the_portfolio(binder: Built, sample: Any) -> None:
    cover = _text(binder.reader, 0)
    config = sample.config
    primary = next(s for s in config.standards if s.primary)
    for expected in (config.organisation, config.title, primary.name, primary.release):
        assert expected in cover
    assert "As of 2025-01-15" in cover and "Source commit" in cover
    assert all(unit.name in cover for unit in config.scope)
    assert re.search(r"\b[0-9a-f]{40}\b", cover) or "not under version control" in cover


def test_the_contents_give_each_section_its_page_and_link_to_it(binder: Built) -> None:
    reader = binder.reader
    contents = " ".join(_text(reader, i) for i in range(1, 6))
    assert _text(reader, 1).lstrip().startswith("Contents")  # the labels' binder_contents
    for title, page, children in _outline(reader):
        for name, number, _ in [(title, page, None), *children[:3]]:
            assert f"{name} {number + 1}" in contents, name
    links = [
        annotation.get_object()
        for annotation in reader.pages[1].get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link"
    ]
    internal = [link for link in links if "/Dest" in link or "/GoTo" in str(link.get("/A"))]
    assert len(internal) >= 30  # every entry of the first contents page links into the PDF


def test_every_page_has_its_number(binder: Built) -> None:
    total = len(binder.reader.pages)
    for index in (0, 10, total - 1):
        assert f"{index + 1} / {total}" in _text(binder.reader, index)


def test_a_metric_chart_is_vector(binder: Built) -> None:
    outline = {title: (page, children) for title, page, children in _outline(binder.reader)}
    m13 = next(page for title, page, _ in outline["Metrics"][1] if title.startswith("M13"))
    page = binder.reader.pages[m13]
    text = _text(binder.reader, m13)
    assert "M13" in text

    def images(resources: Any) -> int:
        found = 0
        for xobject in (resources or {}).get("/XObject", {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Image":
                found += 1
            elif xobject.get("/Subtype") == "/Form":
                found += images(xobject.get("/Resources"))
        return found

    assert images(page.get("/Resources")) == 0
    drawing = page.get_contents()
    assert drawing is not None and len(drawing.get_data()) > 20_000  # the chart's paths


def test_the_metadata_never_comes_from_the_clock(binder: Built, sample: Any) -> None:
    info = binder.reader.metadata
    assert info is not None
    assert info["/Title"] == sample.config.title
    assert info["/Author"] == sample.config.organisation
    assert info["/CreationDate"] == info["/ModDate"]
    assert "Skia" not in str(info.get("/Producer"))
    raw = binder.path.read_bytes()
    assert raw.count(b"/ID [") >= 1
    assert b"/FontFile2" in raw  # fonts embedded
    assert binder.reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"


@pytest.fixture(scope="module")
def rebuilt(binder: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path, _ = _build(tmp_path_factory.mktemp("pdf-again") / "binder.pdf")
    yield path


def test_the_same_commit_gives_the_same_bytes(binder: Built, rebuilt: Path) -> None:
    first, second = binder.path.read_bytes(), rebuilt.read_bytes()
    assert first == second
    assert PdfReader(io.BytesIO(second)).metadata == binder.reader.metadata


def test_a_pdf_never_replaces_another_file(tmp_path: Path) -> None:
    from generator.engines.pdf import build_pdf
    from generator.errors import UsageError

    precious = tmp_path / "mkdocs.yml"
    precious.write_text("site_name: mine\n", "utf-8")
    with pytest.raises(UsageError, match="it is not a PDF"):
        build_pdf(ROOT / "mkdocs.yml", precious)
    assert precious.read_text("utf-8") == "site_name: mine\n"
