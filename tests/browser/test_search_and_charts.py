"""Searching an ID finds that record first, and a chart opens at full size.

Here the real search, in Chromium, must put the record's own page first for each kind of
ID, in English and Norwegian. Material's search alone does not: lunr's query lexer in its
worker splits a query at hyphens whatever `separator` says (a separator without the hyphen
made every ID search come back empty), and "PR-03" ranked EV-036 first; overrides/main.html
puts the record whose tag is the query at the top.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .conftest import Tab

pytestmark = pytest.mark.browser

IDS = {
    "EV-002": "evidence/EV-002.html",
    "PR-03": "requirements/PR-03.html",
    "M13": "metrics/M13.html",
    "F-04": "findings/F-04.html",
}


@pytest.mark.parametrize("site", ["en_site", "nb_site"])
@pytest.mark.parametrize("ident", IDS)
def test_an_id_search_puts_its_page_first(
    site: str, ident: str, tabs: Callable[[str], Tab], request: pytest.FixtureRequest
) -> None:
    base: str = request.getfixturevalue(site)
    tab = tabs("desktop")
    page = tab.page
    seen = tab.open(base + "index.html")
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially(ident, delay=20)  # Material listens to keys, not to fill()
    hit = page.locator(".md-search-result__list > li:first-child.cf-id-hit a")
    hit.wait_for(timeout=15_000)
    href = hit.get_attribute("href") or ""
    assert href.endswith("/" + IDS[ident]), href
    page.keyboard.press("Escape")
    assert seen.clean, seen.report()


def test_a_chart_opens_at_full_size(en_site: str, tabs: Callable[[str], Tab]) -> None:
    tab = tabs("desktop")
    page = tab.page
    seen = tab.open(en_site + "metrics/M13.html")
    chart = page.locator('a[href="M13.svg"] > img[src="M13.svg"]')
    assert chart.count() == 1  # the chart is a link to itself, opened at full size
    full = page.request.get(en_site + "metrics/M13.svg")  # no navigation: the tab is shared
    assert full.ok and full.headers["content-type"].startswith("image/svg")
    assert b'width="' in full.body()[:1000] and b'pt"' in full.body()[:1000]
    assert seen.clean, seen.report()
