"""The PDF binder's one HTML document, assembled from a built site (no browser, no MkDocs).

`assemble` takes the pages of a site the MkDocs build just wrote and puts their content (the
`article` of each page, already sanitised by the build) into one document in binder order:
cover, contents, the home page and the about page, each category with its requirements, the
metrics, the findings, the evidence, then the registers and any other page. Each page keeps
its own look (the site's stylesheets, printed) and becomes one section: its ids are prefixed
with the section's id so they stay unique, links to a page or an anchor of the binder become
internal links, links to files (attachments, data, full-size charts) keep their text only,
and headings move down to the section's depth, so the tagged PDF has one heading tree. A
requirement's section leaves out the charts its metrics' own sections carry.

The contents list every section with a placeholder page number of fixed width; the printer
(`pdf.py`) fills the numbers in once it knows them, and builds the PDF outline from `entries`.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from generator.model import Portfolio
from generator.site.i18n import Labels

#: The placeholder the contents show until the page numbers are known (same width as any).
PLACEHOLDER = "0000"

ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.S)
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
LINK = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S)
HREF = re.compile(r'\shref="([^"]*)"')
ID = re.compile(r'(\sid)="([^"]*)"')
SRC = re.compile(r'(<img\b[^>]*\ssrc)="([^"]*)"')
HEADING = re.compile(r"<(/?)h([1-6])\b")
CHART = re.compile(r"<p>\s*(?:<a\b[^>]*>)?\s*<img\b[^>]*>\s*(?:</a>)?\s*</p>", re.S)
TITLE = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S)
TAG = re.compile(r"<[^>]+>")

#: Folders of the registers whose record pages have sections of their own.
RECORDS = ("categories", "requirements", "metrics", "findings", "evidence")
#: Registers after the records, in this order, each with the pages it is split into.
REGISTERS = ("requirements/index.html", "owners.html", "traceability.html", "glossary.html")


@dataclass(frozen=True)
class Entry:
    """A section of the binder: its page, depth (1 to 3), title and id."""

    page: str
    level: int
    title: str
    anchor: str
    new_page: bool = True


@dataclass
class Binder:
    html: str
    entries: list[Entry] = field(default_factory=list)


def anchor_of(page: str) -> str:
    """The id of a page's section (the page's path, made a plain name)."""
    return "s-" + re.sub(r"[^A-Za-z0-9_-]", "_", page.removesuffix(".html"))


def page_title(content: str) -> str:
    found = TITLE.search(HEADERLINK.sub("", content))
    return html.unescape(TAG.sub("", found.group(1))).strip() if found else ""


def _order(site: Path, assessment: dict[str, Any]) -> list[tuple[str, int, bool]]:
    """(page, level, starts a page) for every page of the binder, in order."""
    pages = {
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if p.name != "404.html" and not p.relative_to(site).as_posix().startswith(".")
    }
    order: list[tuple[str, int, bool]] = []

    def take(page: str, level: int, new_page: bool = True) -> None:
        if page in pages:
            pages.discard(page)
            order.append((page, level, new_page))

    def rest_of(folder: str, level: int) -> None:
        """The pages a register is split into (not records), after the register."""
        for page in sorted(p for p in pages if p.startswith(f"{folder}/")):
            take(page, level)

    requirements = assessment.get("requirements", [])
    take("index.html", 1)
    take("portfolio.html", 1)
    take("changes.html", 1)
    take("categories/index.html", 1)
    for category in assessment.get("readiness", {}).get("categories", []):
        take(f"categories/{category['id']}.html", 2)
        for requirement in requirements:
            if requirement.get("category") == category["id"]:
                take(f"requirements/{requirement['id']}.html", 3)
    for kind in ("metrics", "findings", "evidence"):
        take(f"{kind}/index.html", 1)
        ids = [f"{kind}/{record['id']}.html" for record in assessment.get(kind, [])]
        split = sorted(p for p in pages if p.startswith(f"{kind}/") and p not in ids)
        for page in split:
            take(page, 2)
        for page in ids:
            take(page, 2, new_page=kind != "evidence")  # evidence items run on
    for register in REGISTERS:
        take(register, 1)
        rest_of(register.removesuffix(".html").removesuffix("/index"), 2)
    take("warnings.html", 1)
    rest_of("warnings", 2)
    for folder in RECORDS:  # records the assessment does not list (none expected)
        rest_of(folder, 2)
    for page in sorted(pages, key=lambda p: (p.count("/"), p)):  # pages added later
        if page in pages:
            folder = page.rpartition("/")[0]
            take(page, 1 if not folder or page.endswith("/index.html") else 2)
    return order


def _rewrite(content: str, page: str, anchors: dict[str, str], level: int) -> str:
    """One page's article as a section of the binder (see the module's docstring)."""
    own = anchors[page]
    folder = posixpath.dirname(page)
    content = HEADERLINK.sub("", content)
    if page.startswith("requirements/") and not page.endswith("index.html"):
        content = CHART.sub("", content)  # the metric's own section has the chart

    def target(href: str) -> str | None:
        raw = html.unescape(href)
        parts = urlsplit(raw)
        if parts.scheme or parts.netloc:
            return raw if parts.scheme in ("http", "https", "mailto") else None
        if not parts.path:
            return f"#{own}--{parts.fragment}" if parts.fragment else f"#{own}"
        path = posixpath.normpath(posixpath.join(folder, unquote(parts.path)))
        if path not in anchors:
            return None  # a file, or a page the binder leaves out: the text alone
        return f"#{anchors[path]}--{parts.fragment}" if parts.fragment else f"#{anchors[path]}"

    def link(match: re.Match[str]) -> str:
        attrs, inner = match.group(1), match.group(2)
        found = HREF.search(attrs)
        if found is None:
            return match.group(0)
        new = target(found.group(1))
        if new is None:
            return inner
        attrs = HREF.sub(lambda _: f' href="{html.escape(new)}"', attrs, count=1)
        return f"<a{attrs}>{inner}</a>"

    def source(match: re.Match[str]) -> str:
        path = posixpath.normpath(posixpath.join(folder, unquote(html.unescape(match.group(2)))))
        return f'{match.group(1)}="{html.escape(path)}"'

    def heading(match: re.Match[str]) -> str:
        return f"<{match.group(1)}h{min(6, int(match.group(2)) + level - 1)}"

    content = LINK.sub(link, content)
    content = ID.sub(lambda m: f'{m.group(1)}="{own}--{m.group(2)}"', content)
    content = SRC.sub(source, content)
    return HEADING.sub(heading, content)


def _cover(portfolio: Portfolio, manifest: dict[str, Any], labels: Labels) -> str:
    config = portfolio.config
    e = html.escape

    def standard(s: Any) -> str:
        parts = [e(s.name)] + [e(x) for x in (s.release, s.edition) if x]
        role = labels["primary_standard"] if s.primary else labels["mapped_standard"]
        return f"<li>{' · '.join(parts)} <span class='cf-binder-muted'>({e(role)})</span></li>"

    scope = [f"<li>{e(unit.name)} <code>{e(unit.id)}</code></li>" for unit in config.scope]
    commit = manifest.get("source_commit") or labels["not_in_git"]
    if manifest.get("uncommitted_changes"):
        commit = f"{commit} ({labels['uncommitted']})"
    standards = "".join(standard(s) for s in sorted(config.standards, key=lambda s: not s.primary))
    return (
        '<section class="cf-binder-cover" id="cover">'
        f'<p class="cf-binder-org">{e(config.organisation)}</p>'
        f'<h1 class="cf-binder-title">{e(config.title)}</h1>'
        f'<dl class="cf-binder-facts"><dt>{e(labels["standards"])}</dt>'
        f"<dd><ul>{standards}</ul></dd>"
        f"<dt>{e(labels['certified_scope'])}</dt><dd><ul>{''.join(scope)}</ul></dd>"
        f"<dt>{e(labels['as_of'])}</dt><dd>{e(config.as_of.isoformat())}</dd>"
        f"<dt>{e(labels['source_commit'])}</dt><dd><code>{e(str(commit))}</code></dd></dl>"
        f'<p class="cf-binder-muted">{e(labels["generated_by"])}</p></section>'
    )


def _contents(entries: list[Entry], labels: Labels) -> str:
    items = "".join(
        f'<li class="cf-toc-l{entry.level}"><a href="#{entry.anchor}">'
        f'<span class="cf-toc-title">{html.escape(entry.title)}</span>'
        f'<span class="cf-toc-page" data-anchor="{entry.anchor}">{PLACEHOLDER}</span></a></li>'
        for entry in entries
    )
    title = html.escape(labels["binder_contents"])
    return (
        f'<nav class="cf-binder-contents" id="contents" aria-labelledby="contents-title">'
        f'<h1 id="contents-title">{title}</h1><ol>{items}</ol></nav>'
    )


def assemble(
    site: Path,
    portfolio: Portfolio,
    assessment: dict[str, Any],
    manifest: dict[str, Any],
    css: str,
) -> Binder:
    """The binder of the site in `site`, as one HTML document to be saved at the site's root."""
    language = portfolio.config.language
    labels = Labels(language)
    order = _order(site, assessment)
    anchors = {page: anchor_of(page) for page, _, _ in order}
    sections, entries = [], []
    for page, level, new_page in order:
        found = ARTICLE.search((site / page).read_text("utf-8"))
        content = found.group(1) if found else ""
        entry = Entry(page, level, page_title(content) or page, anchors[page], new_page)
        entries.append(entry)
        kind = "cf-binder-break" if new_page else "cf-binder-flow"
        sections.append(
            f'<section class="cf-binder-section {kind}" id="{entry.anchor}">'
            f"{_rewrite(content, page, anchors, level)}</section>"
        )
    home = (site / "index.html").read_text("utf-8")
    links = "".join(f'<link rel="stylesheet" href="{href}">' for href in STYLESHEET.findall(home))
    title = html.escape(portfolio.config.title)
    document = (
        f'<!DOCTYPE html>\n<html lang="{html.escape(language)}"><head><meta charset="utf-8">'
        f"<title>{title}</title>{links}<style>{css}</style></head>"
        '<body class="cf-binder"><div class="md-container"><main class="md-main">'
        '<div class="md-main__inner md-grid"><div class="md-content">'
        '<article class="md-content__inner md-typeset">'
        + _cover(portfolio, manifest, labels)
        + _contents(entries, labels)
        + "".join(sections)
        + "</article></div></div></main></div></body></html>\n"
    )
    return Binder(document, entries)
