"""The clauses of the standards a portfolio targets or maps to, checked against its mappings.

A standard in `portfolio.yaml` may list its clauses (`clauses:`, each an ID and a short title
in our own words). When it does, the list is the release's whole set: an ID listed twice is an
error (E200), and a requirement mapping to a clause the list does not hold is a warning (W606)
at the mapping's `clause`, with the closest listed ID as a hint. A standard without a list
takes any clause. Mappings to a standard that does not exist are the reference check's (E201).
"""

from __future__ import annotations

from collections.abc import Iterable

from generator import model as m
from generator.diagnostics import Report, Span, suggest
from generator.portfolio.yamlparse import Document


def _listed(standards: Iterable[m.Standard], report: Report) -> dict[str, set[str]]:
    """The clause IDs of every standard that lists them, reporting IDs listed twice."""
    found: dict[str, set[str]] = {}
    for standard in standards:
        if not standard.clauses:
            continue
        first: dict[str, Span] = {}
        for clause in standard.clauses:
            if clause.id in first:
                report.error(
                    clause.span,
                    "E200",
                    f"clause '{clause.id}' is listed twice for standard '{standard.id}'",
                )
                report.note(first[clause.id], "E200", "first listed here")
            first.setdefault(clause.id, clause.span)
        found[standard.id] = set(first)
    return found


def check_clauses(
    config: m.Config, requirements: Iterable[Document], portfolio_rel: str, report: Report
) -> None:
    """Warn (W606) about every mapping to a clause its standard's `clauses` list lacks."""
    listed = _listed(config.standards, report)
    if not listed:
        return
    for doc in requirements:
        for i, mapping in enumerate(doc.data.get("mappings") or []):
            clauses = listed.get(mapping["standard"])
            clause = mapping["clause"]
            if clauses is None or clause in clauses:
                continue
            close = suggest(clause, clauses)
            where = f"the clauses of {mapping['standard']} are listed in {portfolio_rel}"
            report.warning(
                doc.span(("mappings", i, "clause")),
                "W606",
                f"clause '{clause}' is not one of the clauses listed for standard "
                f"'{mapping['standard']}'",
                f"{close} {where}" if close else f"{where}; add it there, or fix the mapping",
            )
