"""Sites, programs and suppliers side by side on the site.

A metric reported for more than one scope gets, on its page, the side-by-side chart
(`comparechart`: every scope on one y-axis) and a table of each scope's window figures
(`assess.compare.summaries`: attainment, mean, sample, trend, limits, target); templates
reach them through `SideBySide`. The whole portfolio gets `scopes.md`, a heat-map-style table
of every metric against every scope it is reported for (`assess.compare.grid`), readable
without colour: each cell is a symbol and a word. A long table is split into pages like a
coverage page (`coverage.split`), so no page grows with the portfolio. Writes nothing: the
caller's `Book` stores the pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from generator.assess import compare
from generator.assess.compare import ScopeSummary
from generator.assess.status import Assessment
from generator.site import coverage, formats, paging
from generator.site.comparechart import path as chart_path
from generator.site.i18n import Labels

#: The results-by-scope page, from the site root; its later pages go in a folder of its name.
PAGE = "scopes.md"


class SideBySide:
    """What a metric page shows of its scopes side by side (nothing for a single scope)."""

    def __init__(self, assessment: Assessment, labels: Labels) -> None:
        self.language = labels.language
        self._rows = {
            mid: compare.summaries(result)
            for mid, result in assessment.metrics.items()
            if len(result.scopes) > 1
        }

    def rows(self, metric: str) -> tuple[ScopeSummary, ...]:
        """The scopes of `metric` with their window figures; empty for a single scope."""
        return self._rows.get(metric, ())

    def chart(self, metric: str) -> str:
        """The side-by-side chart's file name, relative to the metric's page."""
        return paging.link(f"metrics/{metric}.md", chart_path(metric))

    def percent(self, share: float | None) -> str:
        """A share from 0 to 1 as a whole percentage in the portfolio's language."""
        return formats.percent_points(None if share is None else share * 100, 0, self.language)


def render(book: paging.Book, assessment: Assessment, title: str) -> None:
    """`scopes.md`: every metric against every scope it is reported for."""
    table = compare.grid(assessment)

    def context(rows: Sequence[compare.GridRow]) -> dict[str, Any]:
        return {"grid": table, "grid_rows": rows}

    def label(row: compare.GridRow) -> str:
        return row.metric.id

    coverage.split(book, PAGE, title, "scopes.md.j2", table.rows, context, label)
