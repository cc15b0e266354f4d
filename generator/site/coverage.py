"""Coverage per standard: one evidence base, several standards.

Every standard in `portfolio.yaml` gets a page, `coverage/<standard>.md`, listing the clauses
our requirements map to, each with the requirements, their status, the clause's status and
how many evidence items support it; when the standard lists its clauses (`clauses:`), the
clauses nothing maps to follow, as uncovered. `coverage/index.md` lists the standards.

A requirement maps to a standard's clause through its `mappings`. The primary standard is
the one the requirements are written for: a requirement without a mapping to it stands for
the clause of its own ID (LP-01 is the primary standard's LP-01). A clause's status is its
requirements' when they agree; otherwise "not met" when one is not met, else "partly met".
Clauses come in the order of the standard's list, then the others in natural order (4.2
before 4.10). A long page is split like a register (`split`), so no page grows with the
portfolio. Writes nothing: the caller's `Book` stores the pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from generator import model as m
from generator.assess.status import Assessment, RequirementStatus
from generator.site import paging

FOLDER = "coverage"
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class ClauseRow:
    """A clause of a standard and what covers it; no requirements: nothing maps to it."""

    clause: str
    title: str | None
    requirements: tuple[RequirementStatus, ...]
    status: str | None  # None when uncovered
    evidence: int  # distinct evidence items supporting its requirements
    listed: bool  # in the standard's `clauses` list

    @property
    def covered(self) -> bool:
        return bool(self.requirements)


@dataclass(frozen=True)
class Coverage:
    """One standard's coverage: the clauses mapped (and, when listed, those not)."""

    standard: m.Standard
    rows: tuple[ClauseRow, ...]

    @property
    def covered(self) -> tuple[ClauseRow, ...]:
        return tuple(r for r in self.rows if r.covered)

    @property
    def uncovered(self) -> tuple[ClauseRow, ...]:
        return tuple(r for r in self.rows if not r.covered)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def path(self) -> str:
        return page_path(self.standard.id)


def page_path(standard: str) -> str:
    """The coverage page of a standard, from the site root."""
    return f"{FOLDER}/{paging.page_name(standard)}.md"


def natural(text: str) -> tuple[Any, ...]:
    """A sort key that puts clause 4.2 before 4.10 and A.2 after 9."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in _DIGITS.split(text) if p)


def clause_status(statuses: Sequence[str]) -> str:
    """The status of a clause from its requirements' (see the module's rule)."""
    if len(set(statuses)) == 1:
        return statuses[0]
    return "not met" if "not met" in statuses else "partly met"


def clauses_of(requirement: m.Requirement, standard: m.Standard) -> list[tuple[str, str | None]]:
    """The clauses of `standard` a requirement maps to, with the titles its mappings give."""
    found = [(x.clause, x.title) for x in requirement.mappings if x.standard == standard.id]
    if not found and standard.primary:
        found = [(requirement.id, requirement.title)]
    return found


def coverage(assessment: Assessment, standard: m.Standard) -> Coverage:
    """The coverage of one standard by the portfolio's requirements."""
    portfolio = assessment.portfolio
    mapped: dict[str, list[str]] = {}
    titles: dict[str, str] = {c.id: c.title for c in standard.clauses if c.title}
    for rid, requirement in portfolio.requirements.items():
        for clause, title in clauses_of(requirement, standard):
            if rid not in mapped.setdefault(clause, []):
                mapped[clause].append(rid)
            if title and clause not in titles:
                titles[clause] = title
    listed = [c.id for c in standard.clauses]
    order = list(dict.fromkeys(listed)) + sorted(set(mapped) - set(listed), key=natural)
    rows = []
    for clause in order:
        rids = mapped.get(clause, [])
        statuses = [assessment.requirements[r] for r in rids]
        evidence = {e for r in rids for e in portfolio.evidence_for(r)}
        rows.append(
            ClauseRow(
                clause,
                titles.get(clause),
                tuple(statuses),
                clause_status([s.status for s in statuses]) if statuses else None,
                len(evidence),
                clause in listed,
            )
        )
    return Coverage(standard, tuple(rows))


def coverages(assessment: Assessment) -> list[Coverage]:
    """Every standard's coverage, in the order of `portfolio.yaml`."""
    return [coverage(assessment, s) for s in assessment.portfolio.config.standards]


def split(
    book: paging.Book,
    path: str,
    title: str,
    template: str,
    rows: Sequence[Any],
    context: Callable[[Sequence[Any]], dict[str, Any]],
    label: Callable[[Any], str],
) -> None:
    """One page at `path` while the rows fit it; else `path` becomes an index (the template
    sees `parts`: each page's first and last row by `label`, and its path) and the rows go
    on pages in a folder of the same name (`coverage/ISO-18295-1/1.md`), each with the pager
    under its heading (and `part` true, so the template leaves out what the index shows)."""
    whole = book.one_page(len(rows), path, template, parts=None, part=False, **context(rows))
    if whole is not None:
        book.store(path, title, whole)
        return
    folder = path.removesuffix(".md")

    def run_context(run: list[Any]) -> dict[str, Any]:
        return {"parts": None, "part": True, **context(run)}

    chunks = book._runs(list(rows), f"{folder}/1.md", template, run_context)
    paths = [f"{folder}/{n}.md" for n in range(1, len(chunks) + 1)]
    book._parts(paths, chunks, template, title, (path, title), run_context)
    parts = [
        (label(run[0]) if len(run) == 1 else f"{label(run[0])} – {label(run[-1])}", path)
        for run, path in zip(chunks, paths, strict=True)
    ]
    book.store(path, title, book.text(path, template, parts=parts, part=False, **context(rows)))


def render(book: paging.Book, assessment: Assessment, title: str) -> None:
    """The coverage pages: the index of standards and one page (or more) per standard."""
    found = coverages(assessment)
    index = f"{FOLDER}/index.md"
    book.store(index, title, book.text(index, "coverage_index.md.j2", coverages=found))
    for cov in found:
        name = f"{title}: {cov.standard.name}"

        def context(rows: Sequence[ClauseRow], c: Coverage = cov) -> dict[str, Any]:
            return {"cov": c, "page_rows": rows}

        split(book, cov.path, name, "coverage.md.j2", cov.rows, context, lambda r: r.clause)
