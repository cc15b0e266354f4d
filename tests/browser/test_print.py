"""Any page prints cleanly: its content alone, full width, black on white, every link's target.

Printed (Chromium's print media), a page shows no header, navigation, sidebar, search or
footer; its content spans the page, charts are as wide as the content, no table is cut or
scrolls, and the background is white. A link to another site shows its address and a link to
a page or file of the site its path; a record's ID names its page and shows none. Chromium
makes a PDF of a page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from .conftest import Tab
from .test_a11y import PAGES

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

#: What printing the page shows that it should not, and what it cuts.
PRINTED = """() => {
    const problems = [];
    for (const selector of [".md-header", ".md-tabs", ".md-sidebar--primary",
            ".md-sidebar--secondary", ".md-search", ".md-footer", ".md-top", ".md-banner"]) {
        const node = document.querySelector(selector);
        if (node && node.checkVisibility()) problems.push(`${selector} is shown`);
    }
    const page = document.documentElement.clientWidth;
    const content = document.querySelector(".md-content").getBoundingClientRect();
    if (content.left > 1 || content.width < page - 2)
        problems.push(`the content spans ${Math.round(content.left)}-` +
            `${Math.round(content.right)} of ${page}`);
    const article = document.querySelector("article.md-typeset");
    const width = article.getBoundingClientRect().width;
    article.querySelectorAll("img").forEach(img => {
        const w = img.getBoundingClientRect().width;
        if (img.getAttribute("src").endsWith(".svg") && w < width - 2)
            problems.push(`chart ${img.getAttribute("src")} is ${Math.round(w)} of ${width}`);
    });
    article.querySelectorAll("table").forEach((table, n) => {
        const wrap = table.closest(".md-typeset__scrollwrap") || table;
        const box = table.getBoundingClientRect();
        if (wrap.scrollWidth > wrap.clientWidth + 1 || box.right > content.right + 1)
            problems.push(`table ${n + 1} is cut: ${Math.round(box.right)} > ` +
                `${Math.round(content.right)}, scrolls ${wrap.scrollWidth} > ${wrap.clientWidth}`);
    });
    const dark = node => {
        const [r, g, b, a = 1] = (getComputedStyle(node).backgroundColor.match(/[\\d.]+/g) || [])
            .map(Number);
        return a > 0 && (r + g + b) / 3 < 200;
    };
    for (const node of [document.body, document.querySelector(".md-container"), article,
            ...article.querySelectorAll("table, th, td, pre, code, .admonition")])
        if (node && dark(node)) {
            problems.push(`a dark background: ${node.tagName} ` +
                `${getComputedStyle(node).backgroundColor}`);
            break;
        }
    return problems;
}"""

#: Each link in the content with what printing writes after it.
AFTER = """() => [...document.querySelectorAll("article.md-typeset a[href]")]
    .filter(a => a.checkVisibility())
    .map(a => ({
        href: a.getAttribute("href"), text: a.textContent.trim(),
        id: a.querySelector(".cf-id") !== null || a.closest("td:not(:first-child)") !== null
            && a.closest("table").querySelector("td:first-child .cf-id") !== null,
        image: a.querySelector("img") !== null, anchor: a.classList.contains("headerlink"),
        after: getComputedStyle(a, "::after").content,
    }))"""


@pytest.fixture
def printed(browser: Browser) -> Iterator[Tab]:
    """A tab of its own at 1280x900 that prints (the other tests' tabs keep the screen)."""
    tab = Tab(browser, {"width": 1280, "height": 900})
    tab.page.emulate_media(media="print")
    yield tab
    tab.context.close()


@pytest.mark.parametrize("kind", PAGES)
def test_a_printed_page_is_its_content_alone(kind: str, en_site: str, printed: Tab) -> None:
    printed.open(en_site + PAGES[kind])  # script errors and failed requests: test_a11y
    assert printed.page.evaluate("matchMedia('print').matches")
    assert printed.page.evaluate(PRINTED) == []
    links = printed.page.evaluate(AFTER)
    for link in links:
        if link["anchor"] or link["href"].startswith("#") or link["image"] or link["id"]:
            assert link["after"] in ("none", "normal"), link
        else:
            assert link["after"] == f'" ({link["href"]})"', link


def test_a_printed_link_to_another_site_shows_its_address(en_site: str, printed: Tab) -> None:
    printed.open(en_site + "portfolio.html")
    after = printed.page.evaluate(
        """() => {
            const a = document.createElement("a");
            a.href = "https://example.org/policy?v=2";
            a.textContent = "the policy";
            document.querySelector("article.md-typeset").appendChild(a);
            return getComputedStyle(a, "::after").content;
        }"""
    )
    assert after == '" (https://example.org/policy?v=2)"'


def test_a_register_lists_ids_without_paths(en_site: str, printed: Tab) -> None:
    """The matrix lists hundreds of IDs: printed, each stays an ID, with no path after it."""
    printed.open(en_site + "traceability.html")
    links = printed.page.evaluate(AFTER)
    assert len(links) > 100 and all(link["id"] for link in links)
    assert {link["after"] for link in links} <= {"none", "normal"}


def test_chromium_prints_a_page_to_pdf(en_site: str, printed: Tab) -> None:
    printed.open(en_site + "metrics/M13.html")
    pdf = printed.page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 2  # chart, then tables
