"""A `Diff` as a report people read: Markdown for a pull-request comment or the step summary,
or plain text for a terminal (the JSON document is `review.export`).

The words are built once, in `review.words`, through a `Style` that escapes user text for its
format and links IDs to the published pages when a site URL is given. Markdown starts with a
summary line of counts, puts long lists in `<details>`, and stays under GitHub's 65,536
character comment limit: lists are cut to fewer items (with a count of the rest) until it fits.

Markdown escaping is the site's (`generator.site.escape.md_inline`), passed in as `inline` by
the caller: the site imports this wing (suspect links, the "Changes since" page), so this wing
cannot import the site, and one escaping function serves every page and report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from generator.diagnostics import Diagnostic, plural, safe_lines, summary_line, visible
from generator.review.changes import Change, Diff
from generator.review.diff import diff_sides
from generator.review.export import diff_document, failure_document, to_json
from generator.review.sides import Side, open_sides
from generator.review.words import Section, Style, as_of_line, sections, summary

Escape = Callable[[object], str]  # user text → inert inline Markdown (`md_inline`)
FORMATS = ("markdown", "json", "text")
COMMENT_LIMIT = 65_536  # GitHub's limit for a comment body, in characters
ITEM_LIMITS = (50, 20, 5, 0)  # items shown per list, tried in turn until the report fits
DETAILS_AFTER = 8  # a list longer than this folds into <details>
PAGES = {
    "requirement": "requirements",
    "evidence": "evidence",
    "metric": "metrics",
    "finding": "findings",
}


@dataclass(frozen=True)
class Markdown:
    """GitHub-flavoured Markdown; IDs link to `site_url` pages when given."""

    inline: Escape
    site_url: str | None = None
    present: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    suffix: str = ".html"  # ".md" for a page inside the site, which MkDocs resolves

    def text(self, value: object) -> str:
        return self.inline(value)

    def strong(self, value: str) -> str:
        return f"**{value}**"

    def ref(self, kind: str, ident: str) -> str:
        label = self.inline(ident)
        if self.site_url is None or kind not in PAGES or (kind, ident) not in self.present:
            return label
        page = f"{PAGES[kind]}/{quote(ident, safe='')}{self.suffix}"
        return f"[{label}]({self.site_url}/{page})"


@dataclass(frozen=True)
class Text:
    """Plain text for a terminal or a log: user text on one visible line."""

    def text(self, value: object) -> str:
        return visible(str(value))

    def strong(self, value: str) -> str:
        return value

    def ref(self, kind: str, ident: str) -> str:
        return visible(ident)


def site_base(url: str | None) -> str | None:
    """The published site's address without a trailing slash, percent-encoded so that it
    cannot end a Markdown link."""
    if url is None:
        return None
    return quote(url.rstrip("/"), safe=":/?#@!$&'*+,;=%~")


def _present(diff: Diff) -> frozenset[tuple[str, str]]:
    """The records the head side has a page for: those the report names, less removed ones."""
    removed = {(c.kind, c.id) for c in diff.records if c.change == Change.REMOVED}
    seen = {(c.kind, c.id) for c in diff.records}
    seen |= {("requirement", c.id) for c in diff.requirements}
    seen |= {("requirement", c.id) for c in diff.coverage}
    seen |= {("evidence", c.id) for c in diff.freshness}
    seen |= {("evidence", e) for c in diff.attachments if c.after for e in c.evidence}
    seen |= {("metric", c.id) for c in diff.metrics}
    seen |= {("metric", c.metric) for c in diff.signals}
    seen |= {("metric", c.metric) for c in diff.data}
    seen |= {("metric", t.metric) for t in diff.targets}
    seen |= {("finding", c.id) for c in diff.findings if c.after is not None}
    for s in diff.suspects:
        seen |= {(s.owner_kind, s.owner_id), (s.target_kind, s.target_id)}
    return frozenset(seen - removed)


def _title(diff: Diff, style: Style) -> str:
    return f"certfolio diff: {style.text(diff.base.label)} → {style.text(diff.head.label)}"


def _markdown_section(section: Section, limit: int, fold: bool) -> list[str]:
    lines: list[str] = []
    shown = 0
    for group, entries in section.groups:
        if shown >= limit:
            break
        if group:
            lines += [f"**{group}**", ""]
        for entry in entries[: limit - shown]:
            lines.append(f"- {entry.line}")
            lines += [f"  - {sub}" for sub in entry.sub]
        shown += min(len(entries), limit - shown)
        lines.append("")
    rest = section.count - shown
    if rest:
        lines += [f"- … and {rest} more (`--format json` lists every one)", ""]
    if fold and (section.count > DETAILS_AFTER or not shown):
        title = f"<strong>{section.title}</strong> ({section.count})"
        return ["<details>", f"<summary>{title}</summary>", "", *lines, "</details>", ""]
    return [f"#### {section.title}", "", *lines]


def _markdown(diff: Diff, style: Markdown, limit: int, fold: bool) -> str:
    lines = [f"### {_title(diff, style)}", "", summary(diff), "", as_of_line(diff), ""]
    for section in sections(diff, style):
        lines += _markdown_section(section, limit, fold)
    return "\n".join(lines).rstrip("\n") + "\n"


def markdown_report(
    diff: Diff,
    inline: Escape,
    site_url: str | None = None,
    suffix: str = ".html",
    fold: bool = True,
) -> str:
    """The report as Markdown, under GitHub's comment limit; `inline` is `md_inline`. IDs
    link to `site_url` pages (`.` and `suffix=".md"` for a page inside the site); `fold`
    puts long lists in `<details>` (GitHub renders Markdown inside it; Python-Markdown needs
    `md_in_html` for that, so a site page may prefer `fold=False`)."""
    style = Markdown(inline, site_base(site_url), _present(diff), suffix)
    for limit in ITEM_LIMITS:
        report = _markdown(diff, style, limit, fold)
        if len(report) <= COMMENT_LIMIT:
            return report
    cut = "\n\n… (cut to fit a GitHub comment; `--format json` has everything)\n"
    return report[: COMMENT_LIMIT - len(cut)] + cut


def text_report(diff: Diff) -> str:
    """The report as plain text, every item listed."""
    style = Text()
    lines = [_title(diff, style), summary(diff), as_of_line(diff)]
    for section in sections(diff, style):
        lines += ["", f"{section.title} ({section.count}):"]
        for group, entries in section.groups:
            indent = "    " if group else "  "
            if group:
                lines.append(f"  {group}")
            for entry in entries:
                lines.append(f"{indent}{entry.line}")
                lines += [f"{indent}  - {sub}" for sub in entry.sub]
    return safe_lines("\n".join(lines)) + "\n"


def failure_report(sides: Sequence[Side], fmt: str, inline: Escape) -> str:
    """Why the diff could not be made: the diagnostics of each side with errors, each line
    naming its side (`base (a1b2c3d): evidence/evidence/EV-1.yaml:3:4: error: ...`)."""
    broken = [s for s in sides if s.portfolio is None]
    heading = "certfolio diff: cannot compare, " + " and ".join(
        f"{s.source.label} has {plural(s.report.errors, 'error')}" for s in broken
    )
    found: list[tuple[str, Diagnostic]] = [
        (side.source.label, d) for side in broken for d in side.report.sorted()
    ]
    counts = [f"{s.source.label}: {summary_line(s.report)}" for s in broken]
    if fmt == "markdown":
        lines = [f"### {inline(heading)}", ""]
        for label, d in found:
            hint = f"<br>hint: {inline(d.hint)}" if d.hint else ""
            said = f"{label}: {d.span}: {d.level.value}: {d.message} [{d.code}]"
            lines.append(f"- {inline(said)}{hint}")
        lines += ["", *(f"{inline(c)}  " for c in counts)]
        return "\n".join(lines).rstrip() + "\n"
    lines = [heading]
    for label, d in found:
        lines.append(f"{label}: {d.span}: {d.level.value}: {d.message} [{d.code}]")
        lines += [f"  hint: {d.hint}"] if d.hint else []
    return safe_lines("\n".join(visible(line) for line in [*lines, *counts])) + "\n"


def render_diff(diff: Diff, fmt: str, inline: Escape, site_url: str | None = None) -> str:
    """The report in `fmt` (one of `FORMATS`)."""
    if fmt == "json":
        return to_json(diff_document(diff))
    return markdown_report(diff, inline, site_url) if fmt == "markdown" else text_report(diff)


def render_failure(sides: Sequence[Side], fmt: str, inline: Escape) -> str:
    """Why no diff was made, in `fmt`."""
    if fmt == "json":
        return to_json(failure_document(sides))
    return failure_report(sides, fmt, inline)


def changes_markdown(
    portfolio: Path,
    base: str,
    as_of: dt.date | None = None,
    *,
    inline: Escape,
    site_url: str | None = None,
    suffix: str = ".html",
    fold: bool = True,
) -> str:
    """The Markdown report from revision `base` to the working tree of `portfolio`, both
    assessed as of `as_of` (default: the working tree's); when a side has errors, the report
    of why (a "Changes since VERSION" page)."""
    with open_sides(base, None, portfolio) as (old, new):
        if old.portfolio is None or new.portfolio is None:
            return failure_report((old, new), "markdown", inline)
        return markdown_report(diff_sides(old, new, as_of), inline, site_url, suffix, fold)
