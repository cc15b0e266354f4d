"""No page carries every other page: record pages stay out of the navigation, and large
registers are split (the evidence register into pages, the traceability matrix per category).
The threshold is lowered here so the small test portfolio takes the large-portfolio path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.engines.mkdocs import build_site

from .conftest import DATA
from .test_site import make_project

_NAV = re.compile(r'<nav class="md-nav md-nav--primary".*?</nav>', re.S)


def _nav_links(page: Path) -> list[str]:
    nav = _NAV.search(page.read_text("utf-8"))
    assert nav is not None
    return re.findall(r'href="([^"]+)"', nav.group(0))


def test_record_pages_are_not_in_the_navigation(tmp_path: Path) -> None:
    config = make_project(tmp_path / "project", DATA / "minimal")
    assert build_site(config, tmp_path / "site").problems == []
    for page in ("index.html", "requirements/AA-01.html", "evidence/EV-02.html"):
        links = _nav_links(tmp_path / "site" / page)
        assert links, page
        records = [x for x in links if re.search(r"(AA-0\d|EV-0\d|/M\d|F-\d)\.html", x)]
        assert records == [], (page, records)


def test_large_registers_are_split(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.site.render as render

    monkeypatch.setattr(render, "REGISTER_PAGE", 1)
    config = make_project(tmp_path / "project", DATA / "minimal")
    assert build_site(config, tmp_path / "site").problems == []  # strict: every link resolves
    site = tmp_path / "site"
    register = (site / "evidence" / "index.html").read_text("utf-8")
    assert "register-1.html" in register and "register-2.html" in register
    first = (site / "evidence" / "register-1.html").read_text("utf-8")
    assert "EV-0" in first and "register-2.html" in first
    matrix = (site / "traceability.html").read_text("utf-8")
    assert "traceability/AA.html" in matrix
    assert "AA-01" in (site / "traceability" / "AA.html").read_text("utf-8")
    assert "register-1.html" not in "".join(_nav_links(site / "index.html"))
