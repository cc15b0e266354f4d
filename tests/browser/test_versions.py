"""What the browser shows of versions, and the parts of the page Material builds at runtime.

A plain build has no version selector and asks for no versions.json; a mike deployment of an
older version shows the selector (named with the version it shows) and the older-version
banner, whose link leads to the latest version, where the banner is gone. On a phone, a table
wider than the screen scrolls in a region the keyboard reaches, named by its heading.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from .conftest import DEPLOYED, Tab

pytestmark = pytest.mark.browser

BANNER = "[data-md-component=outdated]"


def test_a_plain_build_has_no_version_selector(en_site: str, tabs: Callable[[str], Tab]) -> None:
    tab = tabs("desktop")
    seen = tab.open(en_site + "requirements/PR-08.html")
    tab.settle()
    assert tab.page.locator(".md-version").count() == 0
    assert tab.page.locator(BANNER).is_hidden()
    assert seen.clean, seen.report()


def test_an_older_version_shows_the_banner_and_leads_to_the_latest(
    mike_site: str, tabs: Callable[[str], Tab]
) -> None:
    tab = tabs("desktop")
    page = tab.page
    seen = tab.open(mike_site + "metrics/M13.html", ready=".md-version__current")
    current = page.locator(".md-version__current")
    assert current.inner_text().strip() == f"{DEPLOYED} (as of 2025-01-15)"
    assert current.get_attribute("aria-label") == f"Select version: {DEPLOYED} (as of 2025-01-15)"
    assert page.locator(".md-version__link").count() == 2
    banner = page.locator(BANNER)
    banner.wait_for(state="visible", timeout=10_000)
    assert "You are viewing an older evidence snapshot." in banner.inner_text()
    tab.settle()
    assert seen.clean, seen.report()

    page.locator("a.cf-latest").click()
    page.wait_for_url(re.compile(r"/latest/(index\.html)?$"), timeout=10_000)
    page.locator(".md-version__current").wait_for(state="attached", timeout=10_000)
    tab.settle()
    assert page.locator(BANNER).is_hidden()
    assert seen.clean, seen.report()  # the redirect and the latest page: no error either


@pytest.mark.parametrize("site", ["en_site", "nb_site"])
def test_wide_tables_scroll_in_named_focusable_regions(
    site: str, tabs: Callable[[str], Tab], request: pytest.FixtureRequest
) -> None:
    base: str = request.getfixturevalue(site)
    tab = tabs("phone")
    tab.open(base + "metrics/M13.html")
    page = tab.page
    wide = page.locator(".md-typeset__scrollwrap").evaluate_all(
        """wraps => wraps.filter(w => w.scrollWidth > w.clientWidth + 1).map(w => ({
            tabindex: w.getAttribute("tabindex"), role: w.getAttribute("role"),
            name: w.getAttribute("aria-label") ||
                (document.getElementById(w.getAttribute("aria-labelledby")) || {}).textContent
        }))"""
    )
    assert len(wide) >= 3  # control limits, targets, monthly results ...
    for region in wide:
        assert region["tabindex"] == "0" and region["role"] == "region", region
        assert region["name"] and region["name"].strip(), region
    page.keyboard.press("Tab")  # the keyboard reaches them
    for _ in range(200):
        if page.evaluate("document.activeElement.classList.contains('md-typeset__scrollwrap')"):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("no table region took focus from the keyboard")
    tab.settle()
