"""Supplier scorecards: the pages of a VMO portfolio (`organisation.type: VMO`) about its
suppliers, and the links from metric, finding and evidence pages back to them.

`suppliers/index.md` lists the suppliers; `suppliers/<ID>.md` is one supplier's scorecard
(`assess.vendors.Scorecard`: its contract, its metrics against the contract targets with
attainment, trend and signals, its findings and corrective actions, its governance evidence);
`suppliers/comparison.md` ranks the suppliers metric by metric over the last window with the
comparison's caveats (`assess.vendors.Ranking`). A long index or comparison is split into
pages like a coverage page (`coverage.split`). Other portfolios get none of these pages, and
`Vendors` (what templates use to link to them) is None for them. Writes nothing: the caller's
`Book` stores the pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from generator import model as m
from generator.assess import vendors
from generator.assess.status import Assessment
from generator.site import coverage, paging
from generator.site.i18n import Labels

FOLDER = "suppliers"
INDEX = f"{FOLDER}/index.md"
COMPARISON = f"{FOLDER}/comparison.md"


def page_of(supplier: str) -> str:
    """A supplier's scorecard, from the site root (no ID can take the index's or the
    comparison's name, nor the folder the comparison is split into)."""
    name = paging.page_name(supplier)
    return f"{FOLDER}/{name}_.md" if name.lower() == "comparison" else f"{FOLDER}/{name}.md"


def is_vmo(portfolio: m.Portfolio) -> bool:
    """Whether the portfolio gets scorecards: a VMO with at least one supplier."""
    return portfolio.config.organisation_type == "VMO" and bool(vendors.suppliers(portfolio))


class Vendors:
    """The suppliers' pages as the other pages link to them."""

    def __init__(self, assessment: Assessment) -> None:
        self.suppliers = {s.id: s for s in vendors.suppliers(assessment.portfolio)}
        self.rankings = {r.metric.id: r for r in vendors.rankings(assessment)}
        self.index, self.comparison = INDEX, COMPARISON

    def page(self, scope: str) -> str | None:
        """The scorecard of `scope` when it is a supplier, from the site root."""
        return page_of(scope) if scope in self.suppliers else None

    def among(self, scopes: Iterable[str]) -> list[m.ScopeUnit]:
        """The suppliers among `scopes`, in their order there."""
        return [self.suppliers[s] for s in scopes if s in self.suppliers]

    def rank(self, metric: str, supplier: str) -> tuple[int | None, int] | None:
        """The supplier's rank for `metric` and how many suppliers are ranked; None when the
        metric is not compared across suppliers."""
        ranking = self.rankings.get(metric)
        if ranking is None:
            return None
        row = next((r for r in ranking.rows if r.supplier == supplier), None)
        ranked = sum(1 for r in ranking.rows if r.rank is not None)
        return (row.rank if row else None), ranked


def context(assessment: Assessment) -> Vendors | None:
    """What templates see as `vendors`: None unless the portfolio gets scorecards."""
    return Vendors(assessment) if is_vmo(assessment.portfolio) else None


def render(book: paging.Book, assessment: Assessment, labels: Labels) -> None:
    """The suppliers' index, one scorecard per supplier and the comparison (VMO only)."""
    if not is_vmo(assessment.portfolio):
        return
    cards = vendors.scorecards(assessment)
    title = labels["vendor_scorecards"]

    def index_context(rows: Sequence[vendors.Scorecard]) -> dict[str, Any]:
        return {"cards": rows}

    coverage.split(
        book, INDEX, title, "suppliers.md.j2", cards, index_context, lambda c: c.supplier.id
    )
    for card in cards:
        path = page_of(card.supplier.id)
        name = f"{card.supplier.name} ({card.supplier.id})"
        book.store(path, name, book.text(path, "supplier.md.j2", card=card))
    rankings = vendors.rankings(assessment)

    def comparison_context(rows: Sequence[vendors.Ranking]) -> dict[str, Any]:
        return {"rankings": rows}

    coverage.split(
        book,
        COMPARISON,
        labels["suppliers_compared"],
        "supplier_comparison.md.j2",
        rankings,
        comparison_context,
        lambda r: r.metric.id,
    )
