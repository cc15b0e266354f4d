"""Registers split into pages, so that no page of the site grows with the portfolio.

A register (evidence, requirements, metrics, findings, the traceability matrix, the owners and
the warnings page) stays one page while it is short. Past a number of rows, or once its
Markdown passes a number of bytes, it becomes an index page and pages of consecutive rows,
each measured as it is rendered (`runs`), so a page stays well under 100 KB of HTML whatever
its rows hold and whichever templates render them. Registers whose templates were written
for one page (requirements, metrics, findings, traceability) render a page of rows through
`Narrowed`, which shows the template only that page's rows; `under_heading` puts the links to
the neighbouring pages (`pager`) under the page's first heading. Writes nothing: `Book` hands
every page to the caller's `store`.
"""

from __future__ import annotations

import math
import posixpath
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from generator import model as m
from generator.site.escape import md_inline, url_path
from generator.site.i18n import Labels

T = TypeVar("T")

#: What a person can own, in the order their page lists them ("action": a finding's action).
OWNED = ("requirement", "evidence", "metric", "finding", "action")

#: Names a page cannot take in a folder: MkDocs makes `index.md` and `README.md` the folder's
#: index, which `owners.md` is already with directory URLs.
_RESERVED = frozenset({"index", "readme"})

#: How full `runs` fills a page by its rows' estimated bytes, leaving room for rows heavier
#: than the estimate (a run measured too large is split in two).
FILL = 0.85


class Text(Protocol):
    """Renders `template` as the page at `path` (relative to the site root); its Markdown.
    The same template and context give the same text at every path of the same depth (a
    page's links go through the prefix to the site root), so `Book` reuses what it measured."""

    def __call__(self, path: str, template: str, /, **context: Any) -> str: ...


class Store(Protocol):
    """Keeps the page at `path` with its title and Markdown body."""

    def __call__(self, path: str, title: str, body: str, /) -> None: ...


class Narrowed:
    """`base` as one page of a split register sees it: the named attributes replaced by that
    page's rows, everything else read from `base` (so a template's totals still count all)."""

    def __init__(self, base: object, **replaced: object) -> None:
        self.__dict__.update(replaced)
        self._base = base

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)


@dataclass(frozen=True)
class CodeGroup:
    """The warnings of one code and the pages that list them."""

    code: str
    readiness: list[Any]
    validation: list[Any]
    pages: list[str] = field(default_factory=list)


def page_name(ident: str) -> str:
    """A record ID as a page name in a folder of its own (`index` and `README` get a `_`)."""
    return f"{ident}_" if ident.lower() in _RESERVED else ident


def part_path(folder: str, name: str, part: int) -> str:
    """Page `part` (from 1) of what is listed under `name`: `owners/qa-lead.md`, then
    `owners/qa-lead/2.md`; the later parts get a folder so no ID can name one of them."""
    return f"{folder}/{name}.md" if part == 1 else f"{folder}/{name}/{part}.md"


def link(source: str, target: str) -> str:
    """The link target from page `source` to page `target` (both from the site root)."""
    return url_path(posixpath.relpath(target, posixpath.dirname(source) or "."))


def pager(path: str, parts: Sequence[str], up: tuple[str, str]) -> str:
    """The Markdown line under a page's heading: the previous page, the register (`up`: its
    path and title) and the next page."""
    at = parts.index(path)
    found = []
    if at > 0:
        found.append(f"[← {at}]({link(path, parts[at - 1])})")
    found.append(f"[{md_inline(up[1])}]({link(path, up[0])})")
    if at + 1 < len(parts):
        found.append(f"[{at + 2} →]({link(path, parts[at + 1])})")
    return " · ".join(found)


def under_heading(body: str, line: str, suffix: str = "") -> str:
    """`body` with `suffix` added to its first `# ` heading and `line` as a paragraph under it
    (at the top when there is no such heading)."""
    lines = body.split("\n")
    at = next((k for k, text in enumerate(lines) if text.startswith("# ")), None)
    if at is None:
        return f"{line}\n\n{body}"
    lines[at] += suffix
    blank = at + 1 < len(lines) and not lines[at + 1].strip()
    lines[at + 1 : at + 1] = ["", line] if blank else ["", line, ""]
    return "\n".join(lines)


def runs(
    rows: Iterable[T], size: Callable[[list[T]], int], most_rows: int, most_bytes: int
) -> list[list[T]]:
    """`rows` in consecutive runs of at most `most_rows` rows whose page (`size(run)` bytes) is
    at most `most_bytes`; a row too large for a page alone gets a page of its own. No rows:
    one empty run.

    The runs of at most `most_rows` rows, about equal in length, are measured first; when
    they all fit, they are the answer (so a caller that keeps what `size` rendered renders
    each page once). Otherwise each row is taken to weigh its run's bytes per row, runs are
    filled to `FILL` of a page by those weights, and a run measured too large is halved."""
    rows = list(rows)
    if not rows:
        return [rows]
    by_rows = math.ceil(len(rows) / max(most_rows, 1))
    step = math.ceil(len(rows) / by_rows)
    first = [rows[start : start + step] for start in range(0, len(rows), step)]
    sizes = [size(run) for run in first]
    if all(s <= most_bytes for s in sizes):
        return first
    weights = [s / len(run) for run, s in zip(first, sizes, strict=True) for _ in run]
    found: list[list[T]] = []

    def fit(run: list[T]) -> None:
        if len(run) > 1 and size(run) > most_bytes:  # rows heavier than their weight: halve
            middle = len(run) // 2
            fit(run[:middle])
            fit(run[middle:])
        else:
            found.append(run)

    start, filled = 0, 0.0
    for at, weight in enumerate(weights):
        if at > start and (filled + weight > FILL * most_bytes or at - start == most_rows):
            fit(rows[start:at])
            start, filled = at, 0.0
        filled += weight
    fit(rows[start:])
    return found


def owned(portfolio: m.Portfolio) -> dict[str, dict[str, list[Any]]]:
    """What each person in `people` owns, by kind (`OWNED`), in the portfolio's order; an
    action is (finding ID, due date)."""
    found: dict[str, dict[str, list[Any]]] = {
        p.id: {kind: [] for kind in OWNED} for p in portfolio.config.people
    }
    records: tuple[tuple[str, Mapping[str, Any]], ...] = (
        ("requirement", portfolio.requirements),
        ("evidence", portfolio.evidence),
        ("metric", portfolio.metrics),
        ("finding", portfolio.findings),
    )
    for kind, items in records:
        for ident, record in items.items():
            if record.owner in found:
                found[record.owner][kind].append(ident)
    for fid, finding in portfolio.findings.items():
        for action in finding.actions:
            if action.owner in found:
                found[action.owner]["action"].append((fid, action.due))
    return found


def _size(body: str) -> int:
    return len(body.encode("utf-8"))


class Book:
    """Renders the registers: each on one page while it fits, split into pages otherwise."""

    def __init__(
        self, text: Text, store: Store, labels: Labels, most_rows: int, most_bytes: int
    ) -> None:
        self.text, self.store, self.labels = text, store, labels
        self.most_rows, self.most_bytes = most_rows, most_bytes
        # what `_runs` rendered to measure, by run: (the run, path depth, template, text)
        self._measured: dict[int, tuple[list[Any], int, str, str]] = {}

    def one_page(self, rows: int, path: str, template: str, **context: Any) -> str | None:
        """The register rendered on one page, or None when it is too long for one."""
        if rows > self.most_rows:
            return None
        whole = self.text(path, template, **context)
        return whole if _size(whole) <= self.most_bytes else None

    def _runs(
        self,
        rows: Sequence[T],
        path: str,
        template: str,
        context: Callable[[list[T]], dict[str, Any]],
        most_rows: int | None = None,
    ) -> list[list[T]]:
        """`rows` in runs that fit a page, each measured rendered as the page at `path`;
        `_body` reuses those texts (the runs are kept, so no other list takes their `id`)."""
        self._measured = {}
        depth = path.count("/")

        def size(run: list[T]) -> int:
            body = self.text(path, template, **context(run))
            self._measured[id(run)] = (run, depth, template, body)
            return _size(body)

        return runs(rows, size, most_rows or self.most_rows, self.most_bytes)

    def _body(
        self, path: str, template: str, run: list[T], context: Callable[[list[T]], dict[str, Any]]
    ) -> str:
        """`run` rendered as the page at `path`: the text `_runs` measured when it rendered
        the same run with the same template at the same depth."""
        kept = self._measured.get(id(run))
        if kept is not None and kept[0] is run and kept[1:3] == (path.count("/"), template):
            return kept[3]
        return self.text(path, template, **context(run))

    def _parts(
        self,
        paths: list[str],
        chunks: Sequence[list[T]],
        template: str,
        title: str,
        up: tuple[str, str],
        context: Callable[[list[T]], dict[str, Any]],
    ) -> None:
        """Each chunk on its page, with the pager under its heading."""
        for number, (path, chunk) in enumerate(zip(paths, chunks, strict=True), 1):
            suffix = f" {number}/{len(paths)}" if len(paths) > 1 else ""
            body = self._body(path, template, chunk, context)
            self.store(path, title + suffix, under_heading(body, pager(path, paths, up), suffix))
        self._measured = {}

    def evidence(self, rows: Sequence[Any], template: str, title: str) -> None:
        """The evidence register: three orders as tabs on one page, or an index and pages of
        the most urgent first (the template draws their pager)."""
        whole = self.one_page(len(rows), "evidence/index.md", template, pages=0)
        if whole is not None:
            self.store("evidence/index.md", title, whole)
            return

        def context(run: list[Any]) -> dict[str, Any]:
            return {"pages": 2, "page": 1, "rows": run}

        chunks = self._runs(rows, "evidence/register-1.md", template, context)
        index = self.text("evidence/index.md", template, pages=len(chunks))
        self.store("evidence/index.md", title, index)
        for number, chunk in enumerate(chunks, 1):
            path = f"evidence/register-{number}.md"
            body = self.text(path, template, pages=len(chunks), page=number, rows=chunk)
            self.store(path, f"{title} {number}/{len(chunks)}", body)

    def register(
        self,
        folder: str,
        template: str,
        title: str,
        rows: Mapping[str, Any],
        narrow: Callable[[dict[str, Any]], dict[str, Any]],
        tally: str,
    ) -> None:
        """A register of records by ID (requirements, metrics, findings): one page, or an
        index (`register_index.md.j2`) and pages of consecutive records, each the register's
        own template shown only its records (`narrow`: the context that does so)."""
        index = f"{folder}/index.md"
        whole = self.one_page(len(rows), index, template)
        if whole is not None:
            self.store(index, title, whole)
            return

        def context(run: list[tuple[str, Any]]) -> dict[str, Any]:
            return narrow(dict(run))

        chunks = self._runs(list(rows.items()), f"{folder}/register-1.md", template, context)
        paths = [f"{folder}/register-{n}.md" for n in range(1, len(chunks) + 1)]
        self._parts(paths, chunks, template, title, (index, title), context)
        parts = [
            (run[0][0] if len(run) == 1 else f"{run[0][0]} – {run[-1][0]}", path)
            for run, path in zip(chunks, paths, strict=True)
        ]
        body = self.text(index, "register_index.md.j2", heading=title, tally=tally, parts=parts)
        self.store(index, title, body)

    def traceability(self, assessment: Any, categories: Sequence[m.Category]) -> None:
        """The matrix on one page, or per category (the template's `split` index lists
        them) with a large category continued on further pages."""
        template, title = "traceability.md.j2", self.labels["traceability"]
        count = len(assessment.requirements)
        whole = self.one_page(count, "traceability.md", template, split=False)
        if whole is not None:
            self.store("traceability.md", title, whole)
            return
        self.store("traceability.md", title, self.text("traceability.md", template, split=True))
        for category in categories:
            rows = [
                (rid, r)
                for rid, r in assessment.requirements.items()
                if r.requirement.category == category.id
            ]

            def context(run: list[tuple[str, Any]], only: str = category.id) -> dict[str, Any]:
                narrowed = Narrowed(assessment, requirements=dict(run))
                return {"split": False, "only": only, "a": narrowed}

            first = part_path("traceability", category.id, 1)
            chunks = self._runs(rows, first, template, context)
            paths = [part_path("traceability", category.id, n) for n in range(1, len(chunks) + 1)]
            name = f"{title}: {category.id}"
            self._parts(paths, chunks, template, name, ("traceability.md", title), context)

    def owners(self, people: Sequence[m.Person], held: dict[str, dict[str, list[Any]]]) -> None:
        """The owners page, or an index of the owners with their counts and one page per
        owner (continued on further pages when one owner holds too much for one)."""
        template, title = "owners.md.j2", self.labels["owners"]
        whole = self.one_page(len(people), "owners.md", template, owned=held)
        if whole is not None:
            self.store("owners.md", title, whole)
            return
        split: dict[str, list[str]] = {}
        for person in people:
            entries = [(kind, x) for kind in OWNED for x in held[person.id][kind]]

            def context(run: list[tuple[str, Any]], who: m.Person = person) -> dict[str, Any]:
                return {"person": who, "held": {k: [x for j, x in run if j == k] for k in OWNED}}

            name = page_name(person.id)
            first = part_path("owners", name, 1)  # a list of links: only its bytes split it
            chunks = self._runs(entries, first, template, context, max(len(entries), 1))
            paths = [part_path("owners", name, n) for n in range(1, len(chunks) + 1)]
            label = f"{person.role} ({person.name})" if person.name else person.role
            self._parts(paths, chunks, template, label, ("owners.md", title), context)
            split[person.id] = paths
        self.store("owners.md", title, self.text("owners.md", template, owned=held, split=split))

    def warnings(self, readiness: Sequence[Any], validation: Sequence[Any]) -> None:
        """The warnings page, or a summary by code and the warnings of each code on pages."""
        template, title = "warnings.md.j2", self.labels["readiness_warnings"]
        whole = self.one_page(len(readiness) + len(validation), "warnings.md", template)
        if whole is not None:
            self.store("warnings.md", title, whole)
            return
        groups: dict[str, CodeGroup] = {}
        for r in readiness:
            code = r.diagnostic.code
            groups.setdefault(code, CodeGroup(code, [], [])).readiness.append(r)
        for d in validation:
            groups.setdefault(d.code, CodeGroup(d.code, [], [])).validation.append(d)
        for code, group in sorted(groups.items()):
            entries = [("r", x) for x in group.readiness] + [("v", x) for x in group.validation]

            def context(run: list[tuple[str, Any]], c: str = code) -> dict[str, Any]:
                return {
                    "code": c,
                    "readiness": [x for kind, x in run if kind == "r"],
                    "validation": [x for kind, x in run if kind == "v"],
                }

            name = page_name(code)
            chunks = self._runs(entries, part_path("warnings", name, 1), template, context)
            group.pages.extend(part_path("warnings", name, n) for n in range(1, len(chunks) + 1))
            heading = f"{title}: {code}"
            self._parts(group.pages, chunks, template, heading, ("warnings.md", title), context)
        codes = [groups[code] for code in sorted(groups)]
        self.store("warnings.md", title, self.text("warnings.md", template, codes=codes))
