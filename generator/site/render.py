"""Pages from Jinja2 templates: assessment in, `{relative_path: markdown}` out; writes nothing.

Templates live in `site_templates/pages/` (shipped with the package); a user overrides any of
them by putting a file of the same name in their own templates folder, searched first.
`StrictUndefined` turns a typo in a template into an error naming the template and line.
Every string from evidence files reaches a page through the `md`, `cell` or `block` filters
(see `escape`), and the rendered Markdown never passes through another template engine.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from generator import model as m
from generator.assess import metrics, stats
from generator.assess.journey import Journey, assess_journey
from generator.assess.lint import Readiness
from generator.assess.status import Assessment
from generator.diagnostics import Diagnostic
from generator.errors import CertfolioError
from generator.review.suspect import Suspect
from generator.site import background, coverage, formats, paging, requests, scopes, scorecards
from generator.site.escape import attr, md_block, md_cell, md_inline, url_path
from generator.site.i18n import Labels
from generator.site.say import say

#: Registers longer than this many rows are split into pages (`paging`), so that no page
#: grows with the portfolio...
REGISTER_PAGE = 250
#: ... and so are registers whose Markdown is longer than this many bytes: the theme adds
#: about 15 KB to a page and a register's HTML is about 1.4 times its Markdown, so every page
#: stays well under 100 KB (and under the search index's limit of a section).
PAGE_BYTES = 45_000
#: Sites with this many record pages (requirements, evidence, metrics, findings, categories)
#: or more render them in two processes (`render_pages`); forking costs some 20 ms.
SHARED_FROM = 1_000

#: Renders some of the pages: their Markdown by path.
Task = Callable[[], dict[str, str]]

#: The numbers the glossary page explains, from the code that applies them.
RULES = {
    "limit_factor": stats.XMR_LIMIT_FACTOR,
    "run_length": metrics.RUN_LENGTH,
    "trend_moves": metrics.TREND_MOVES,
}

#: Where each kind of record's page lives, relative to the site root.
FOLDERS = {
    "requirement": "requirements",
    "evidence": "evidence",
    "metric": "metrics",
    "finding": "findings",
    "category": "categories",
}


def default_templates() -> Path:
    """The templates shipped with certfolio (`site_templates/pages`)."""
    return Path(str(resources.files("site_templates").joinpath("pages")))


@dataclass(frozen=True)
class SourceInfo:
    """Where the portfolio came from: its git commit, if any, and the build timestamp."""

    commit: str | None
    dirty: bool
    epoch: int  # seconds since 1970 (SOURCE_DATE_EPOCH): the commit time, never the clock


@dataclass(frozen=True)
class Published:
    """A file published with the site (an attachment or a data file)."""

    path: str  # relative to the site root
    size: int
    sha256: str
    git_blob: str = ""  # the id of the same bytes as a git blob


@dataclass
class SiteData:
    """Everything the templates see besides the assessment."""

    assessment: Assessment
    labels: Labels
    source: SourceInfo
    chart_alt: dict[str, str] = field(default_factory=dict)
    attachments: dict[str, Published] = field(default_factory=dict)  # by portfolio path
    readiness: list[Readiness] = field(default_factory=list)  # readiness warnings
    validation: list[Diagnostic] = field(default_factory=list)  # validation warnings
    changes: tuple[str, str] | None = None  # (previous version, Markdown of the changes since)
    suspects: dict[str, tuple[Suspect, ...]] = field(default_factory=dict)  # by record ID
    journey: Journey | None = None  # readiness by month; None: computed when rendering


#: What the theme leaves out on a register's pages (Material's and Zensical's `hide`): the
#: table of contents, so that the register's tables have the column it would take.
REGISTER_HIDE = ("toc",)


def front_matter(title: str, hide: Sequence[str] = (), tags: Sequence[str] = ()) -> str:
    """The page's title as metadata, HTML-escaped: themes print titles unescaped (in
    `<title>`, the navigation, breadcrumbs), so the title must already be inert HTML.
    `hide`: the parts of the theme the page leaves out (`REGISTER_HIDE`). `tags`: a record
    page's ID, which Material's search weighs most (a tag outweighs a title), so searching an
    ID puts its page first; without the tags plugin the page does not show them."""
    lines = [f"title: {json.dumps(html.escape(title, quote=True), ensure_ascii=False)}"]
    if hide:
        lines.append(f"hide: {json.dumps(list(hide))}")
    if tags:
        lines.append(f"tags: {json.dumps([html.escape(t, quote=True) for t in tags])}")
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def page_path(kind: str, ident: str) -> str:
    """The Markdown path of a record's page, e.g. `evidence/EV-001.md`."""
    return f"{FOLDERS[kind]}/{ident}.md"


def _size(value: int) -> str:
    if value < 1024:
        return f"{value} bytes"
    if value < 1024**2:
        return f"{value / 1024:.1f} KiB"
    return f"{value / 1024**2:.1f} MiB"


def make_environment(template_dirs: Sequence[Path], labels: Labels) -> jinja2.Environment:
    """A Jinja2 environment over the given folders (first match wins), strict about names."""
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in template_dirs]),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.do"],
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        md=md_inline,
        cell=md_cell,
        block=md_block,
        attr=attr,
        url=url_path,
        word=labels.word,
        num=lambda value, decimals=1: formats.number(value, decimals, labels.language),
        p_value=lambda p: formats.p_value(p, labels.language),
        signed=lambda value, decimals=2: formats.signed(value, decimals, labels.language),
        say=lambda message: say(message, labels),
        size=_size,
    )

    @jinja2.pass_context
    def link(context: Any, kind: str, ident: str) -> str:
        return f"{context['prefix']}{page_path(kind, ident)}"

    @jinja2.pass_context
    def ref(context: Any, kind: str, ident: str, text: str | None = None) -> str:
        label = md_inline(ident if text is None else f"{ident} {text}")
        return f"[{label}]({link(context, kind, ident)})"

    @jinja2.pass_context
    def root(context: Any, path: str) -> str:
        return f"{context['prefix']}{url_path(path)}"

    env.globals.update(link=link, ref=ref, root=root, L=labels)
    return env


def _people(portfolio: m.Portfolio) -> dict[str, str]:
    return {p.id: f"{p.role} ({p.name})" if p.name else p.role for p in portfolio.config.people}


_FRESHNESS_ORDER = {"expired": 0, "overdue": 1, "due soon": 2, "current": 3, "not yet issued": 4}


def _evidence_orders(assessment: Assessment, people: dict[str, str]) -> dict[str, list[Any]]:
    """The evidence register three ways: most urgent first, by owner, by type."""
    rows = list(assessment.evidence.values())
    never = 10**9
    return {
        "freshness": sorted(
            rows,
            key=lambda f: (
                _FRESHNESS_ORDER[f.state],
                never if f.days is None else f.days,
                f.evidence.id,
            ),
        ),
        "owner": sorted(
            rows, key=lambda f: (people.get(f.evidence.owner, f.evidence.owner), f.evidence.id)
        ),
        "type": sorted(rows, key=lambda f: (f.evidence.type, f.evidence.id)),
    }


def _findings_via_metrics(assessment: Assessment) -> dict[str, dict[str, tuple[str, ...]]]:
    """For each results requirement, the findings that hold against it through one of its
    metrics (F-04 → M13 → RS-04) and are not linked to it directly: {rid: {fid: (mids)}}."""
    portfolio = assessment.portfolio
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for rid, requirement in portfolio.requirements.items():
        if not requirement.results:
            continue
        direct = set(portfolio.findings_for(rid))
        via: dict[str, list[str]] = {}
        for mid in portfolio.metrics_for(rid):
            for fid in portfolio.findings_for_metric(mid):
                if fid not in direct and fid in assessment.findings:
                    via.setdefault(fid, []).append(mid)
        found[rid] = {fid: tuple(mids) for fid, mids in sorted(via.items())}
    return found


def _record_pages(portfolio: m.Portfolio) -> dict[str, tuple[str, str]]:
    """The record each portfolio file holds, by its path from the portfolio's parent folder:
    {"evidence/metrics/M03.csv": ("metric", "M03")}, so a warning links to its page."""
    found: dict[str, tuple[str, str]] = {}
    kinds = (
        ("requirement", portfolio.requirements),
        ("evidence", portfolio.evidence),
        ("metric", portfolio.metrics),
        ("finding", portfolio.findings),
    )
    for kind, records in kinds:
        for ident, record in records.items():
            found[record.span.path] = (kind, ident)
            if isinstance(record, m.Metric):  # its data file too
                found[record.data_path] = (kind, ident)
    return found


def _common(data: SiteData) -> dict[str, Any]:
    assessment = data.assessment
    portfolio = assessment.portfolio
    people = _people(portfolio)
    return {
        "evidence_orders": _evidence_orders(assessment, people),
        "findings_via": _findings_via_metrics(assessment),
        "readiness": data.readiness,
        "changes": data.changes,
        "suspects": data.suspects,
        "validation": data.validation,
        "record_pages": _record_pages(data.assessment.portfolio),
        "a": assessment,
        "portfolio": portfolio,
        "config": portfolio.config,
        "as_of": assessment.as_of.isoformat(),
        "source": data.source,
        "people": people,
        "categories": {c.id: c for c in portfolio.config.categories},
        "chart_alt": data.chart_alt,
        "attachments": data.attachments,
        "scopes": {u.id: u for u in portfolio.config.scope},
        "retention": dict(portfolio.config.retention_classes),
        "compare": scopes.SideBySide(assessment, data.labels),  # split metrics side by side
        "vendors": scorecards.context(assessment),  # a VMO's supplier scorecards, else None
        "built": dt.datetime.fromtimestamp(data.source.epoch, dt.UTC).date().isoformat(),
    }


class TemplateFailed(CertfolioError):
    """A page template has an error: named with its file and line, never a traceback."""

    @classmethod
    def of(cls, exc: jinja2.TemplateError, template: str, page: str) -> TemplateFailed:
        where, line = template, None
        if isinstance(exc, jinja2.TemplateSyntaxError):
            where, line = exc.filename or exc.name or template, exc.lineno
        else:  # Jinja rewrites tracebacks so the template's own frames name file and line
            frames = traceback.extract_tb(exc.__traceback__)
            found = [f for f in frames if f.filename.endswith(".j2")]
            if found:
                where, line = found[-1].filename, found[-1].lineno
        position = f"{where}:{line}" if line else where
        return cls(
            f"template error in {position}: {exc.message or exc}",
            [f"while rendering {page}; templates are strict: check the names they use"],
        )


def render_pages(
    data: SiteData, template_dirs: Sequence[Path], workers: int | None = None
) -> dict[str, str]:
    """Every page of the site as Markdown, keyed by its path relative to the site root. From
    `SHARED_FROM` record pages on (and unless `workers` is 1), a forked child and this
    process share the work, a register or a record page at a time: the same pages, in about
    half the time on two cores (`background.Shared`)."""
    env = make_environment(template_dirs, data.labels)
    common = _common(data)
    common["journey"] = data.journey or assess_journey(
        data.assessment.portfolio, data.assessment.as_of
    )
    assessment = data.assessment
    portfolio = assessment.portfolio

    def text(path: str, template: str, /, **extra: Any) -> str:
        context = {**common, "prefix": "../" * path.count("/"), **extra}
        try:
            return env.get_template(template).render(context)
        except jinja2.TemplateError as exc:
            raise TemplateFailed.of(exc, template, path) from None

    def page(path: str, template: str, title: str, **extra: Any) -> Task:
        return lambda: {path: front_matter(title) + text(path, template, **extra)}

    def register(fill: Callable[[paging.Book], None]) -> Task:
        def made() -> dict[str, str]:
            found: dict[str, str] = {}

            def store(path: str, title: str, body: str, /) -> None:
                found[path] = front_matter(title, REGISTER_HIDE) + body

            fill(paging.Book(text, store, labels, REGISTER_PAGE, PAGE_BYTES))
            return found

        return made

    def record(kind: str, ident: str, item: Any) -> Task:
        path = page_path(kind, ident)
        return lambda: {
            path: front_matter(f"{ident} {item.title}", tags=[ident])
            + text(path, f"{kind}.md.j2", item=item)
        }

    labels = data.labels
    evidence = common["evidence_orders"]["freshness"]
    tasks: list[Task] = [  # the longest first, so that two processes end about together
        register(lambda book: requests.render(book, assessment, labels["request_list"])),
        register(
            lambda book: book.evidence(evidence, "evidence_register.md.j2", labels["evidence"])
        ),
        register(
            lambda book: book.register(
                "requirements",
                "requirements.md.j2",
                labels["requirements"],
                assessment.requirements,
                lambda rows: {"a": paging.Narrowed(assessment, requirements=rows)},
                "requirements",
            )
        ),
        register(lambda book: book.traceability(assessment, portfolio.config.categories)),
        register(
            lambda book: book.register(
                "metrics",
                "metrics.md.j2",
                labels["metrics"],
                assessment.metrics,
                lambda rows: {"a": paging.Narrowed(assessment, metrics=rows)},
                "metrics",
            )
        ),
        register(lambda book: book.owners(portfolio.config.people, paging.owned(portfolio))),
        register(lambda book: book.warnings(data.readiness, data.validation)),
        register(
            lambda book: book.register(
                "findings",
                "findings.md.j2",
                labels["findings"],
                portfolio.findings,
                lambda rows: {"portfolio": paging.Narrowed(portfolio, findings=rows)},
                "findings",
            )
        ),
        register(lambda book: coverage.render(book, assessment, labels["coverage"])),
        register(lambda book: scopes.render(book, assessment, labels["results_by_scope"])),
        register(lambda book: scorecards.render(book, assessment, labels)),  # VMO suppliers/
        page("index.md", "index.md.j2", portfolio.config.title),
        page("portfolio.md", "about.md.j2", labels["about"]),
        page("glossary.md", "glossary.md.j2", labels["glossary"], rules=RULES),
        page("journey.md", "journey.md.j2", labels["journey"]),
        page("categories/index.md", "categories.md.j2", labels["categories"]),
    ]
    kinds: list[tuple[str, dict[str, Any]]] = [
        ("category", {c.id: c for c in portfolio.config.categories}),
        ("requirement", portfolio.requirements),
        ("evidence", portfolio.evidence),
        ("metric", portfolio.metrics),
        ("finding", portfolio.findings),
    ]
    records = [record(kind, ident, item) for kind, found in kinds for ident, item in found.items()]
    # a large site's pages are shared with a forked child (`background.Shared`)
    share = workers != 1 and len(records) >= SHARED_FROM
    tasks += records
    shared = background.Shared(len(tasks), lambda number: tasks[number](), background=share)
    pages: dict[str, str] = {}
    for made in shared.results():
        pages.update(made)
    if data.changes is not None:
        since = f"{labels['changes_since']} {data.changes[0]}"
        pages["changes.md"] = front_matter(since) + f"# {md_inline(since)}\n\n{data.changes[1]}"
    return dict(sorted(pages.items()))
