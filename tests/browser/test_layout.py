"""The registers fit a desktop screen: every column in view, no ID broken across lines.

At 1280x900, in English and Norwegian, every table of every register page (requirements,
evidence with each of its tabs, metrics, findings with its corrective actions, owners,
traceability matrix, warnings) shows all its column headers inside the content column, and
no table scrolls sideways: the register pages give the table of contents' column to the
content. An ID ("EV-002", never "EV-" / "002") and a date stay on one line, on a phone too;
the traceability matrix shows each requirement's title under its ID.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from generator.portfolio.validate import validate_portfolio

from ..conftest import SAMPLE
from .conftest import Tab

pytestmark = pytest.mark.browser

#: register -> path
REGISTERS = {
    "requirements": "requirements/index.html",
    "evidence": "evidence/index.html",
    "metrics": "metrics/index.html",
    "findings": "findings/index.html",
    "owners": "owners.html",
    "traceability matrix": "traceability.html",
    "warnings": "warnings.html",
}

#: What does not fit in the tables shown now: a header outside its table's visible box, a
#: table or the page that scrolls sideways, a table of contents taking a column.
OVERFLOW = """() => {
    const problems = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1)
        problems.push(`the page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
    const toc = document.querySelector(".md-sidebar--secondary");
    if (toc && toc.checkVisibility()) problems.push("the table of contents takes a column");
    const content = document.querySelector(".md-content");
    document.querySelectorAll(".md-content table").forEach((table, n) => {
        if (!table.checkVisibility()) return;  // a tab not shown
        const wrap = table.closest(".md-typeset__scrollwrap") || content;
        const box = wrap.getBoundingClientRect();
        const left = box.left + wrap.clientLeft, right = left + wrap.clientWidth;
        if (wrap.scrollWidth > wrap.clientWidth + 1)
            problems.push(`table ${n + 1} scrolls: ${wrap.scrollWidth} > ${wrap.clientWidth}`);
        table.querySelectorAll("th").forEach(th => {
            const r = th.getBoundingClientRect();
            if (r.right > right + 0.5 || r.left < left - 0.5)
                problems.push(`table ${n + 1}: "${th.textContent.trim()}" at ` +
                    `${Math.round(r.left)}-${Math.round(r.right)}, ` +
                    `outside ${Math.round(left)}-${Math.round(right)}`);
        });
    });
    return problems;
}"""

#: What breaks across lines that must not: an ID (`.cf-id`, an ID-only link in a table's
#: first column, a link in a register table's other columns) or a date in a date column.
BROKEN = """() => {
    const broken = [];
    const lines = node => {
        const range = document.createRange();
        range.selectNodeContents(node);
        return [...range.getClientRects()].filter(r => r.width > 0).length;
    };
    const check = (node, what) => {
        if (node.checkVisibility() && lines(node) > 1)
            broken.push(`${what} "${node.textContent.trim()}" on ${lines(node)} lines`);
    };
    const content = document.querySelector(".md-content");
    content.querySelectorAll(".cf-id").forEach(node => check(node, "ID"));
    content.querySelectorAll("table").forEach(table => {
        if (!table.checkVisibility()) return;
        table.querySelectorAll("td:first-child a").forEach(a => {
            if (!a.querySelector(".cf-id") && !/\\s/.test(a.textContent.trim())) check(a, "ID");
        });
        if (!table.querySelector("td:first-child .cf-id")) return;  // not a register's table
        table.querySelectorAll("td:not(:first-child) a").forEach(a => check(a, "ID"));
        const dates = [...table.querySelectorAll("th")].flatMap(
            (th, column) => th.querySelector(".cf-dates") ? [column] : []);
        table.querySelectorAll("tbody tr").forEach(tr => dates.forEach(column => {
            const td = tr.children[column];
            if (td && td.textContent.trim() !== "–") check(td, "date");
        }));
    });
    return broken;
}"""


def _tab_labels(tab: Tab) -> int:
    return tab.page.locator(".md-content .tabbed-labels > label").count()


@pytest.mark.parametrize("register", REGISTERS)
@pytest.mark.parametrize("site", ["en_site", "nb_site"])
def test_every_register_column_is_in_view_and_no_id_breaks(
    site: str, register: str, tabs: Callable[[str], Tab], request: pytest.FixtureRequest
) -> None:
    base: str = request.getfixturevalue(site)
    tab = tabs("desktop")
    tab.open(base + REGISTERS[register])  # script errors and failed requests: test_a11y
    page = tab.page
    assert page.viewport_size == {"width": 1280, "height": 900}
    views = max(_tab_labels(tab), 1)  # the evidence register: each order in its tab
    assert views == (3 if register == "evidence" else 1)
    for view in range(views):
        if views > 1:
            page.locator(".md-content .tabbed-labels > label").nth(view).click()
        assert page.evaluate(OVERFLOW) == [], (register, view)
        assert page.evaluate(BROKEN) == [], (register, view)
    if register != "owners":  # the sample's owners page lists links, it has no table
        assert page.locator(".md-content table").count() >= 1


@pytest.mark.parametrize("register", REGISTERS)
def test_no_id_breaks_on_a_phone(register: str, en_site: str, tabs: Callable[[str], Tab]) -> None:
    """On a phone a register's table scrolls sideways (in a region the keyboard reaches), but
    its IDs and dates still stay whole."""
    tab = tabs("phone")
    tab.open(en_site + REGISTERS[register])
    views = max(_tab_labels(tab), 1)
    for view in range(views):
        if views > 1:  # each tab in turn (Material remembers the last one chosen)
            tab.page.locator(".md-content .tabbed-labels > label").nth(view).click()
        assert tab.page.evaluate(BROKEN) == [], (register, view)


@pytest.mark.parametrize("site", ["en_site", "nb_site"])
def test_the_matrix_shows_each_requirement_with_its_title(
    site: str, tabs: Callable[[str], Tab], request: pytest.FixtureRequest
) -> None:
    portfolio, _ = validate_portfolio(SAMPLE)
    assert portfolio is not None
    base: str = request.getfixturevalue(site)
    tab = tabs("desktop")
    tab.open(base + "traceability.html")
    rows = tab.page.locator(".md-content table tbody tr td:first-child").evaluate_all(
        """cells => cells.map(td => {
            const id = td.querySelector("a .cf-id"), title = td.querySelector(".cf-title");
            const range = document.createRange();
            range.selectNodeContents(id);
            return {
                id: id.textContent, href: id.closest("a").getAttribute("href"),
                title: title && title.textContent, lines: range.getClientRects().length,
            };
        })"""
    )
    shown = {row["id"]: row["title"] for row in rows}
    assert shown == {rid: r.title for rid, r in portfolio.requirements.items()}
    for row in rows:
        assert row["href"] == f"requirements/{row['id']}.html", row
        assert row["lines"] == 1, row
