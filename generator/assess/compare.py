"""Scopes side by side: one metric's sites, programs or suppliers over the same evaluation
window, and every metric against every scope it is reported for.

`summaries` gives each scope of a metric its window figures: the months judged and met (a
month of the window without data counts as judged and missed, as in the verdict), attainment
(met ÷ judged), the mean of the window's values, the window's total sample size (sampled
metrics whose window months all give n), the trend over the window, the control limits of the
scope's current phase and the signals reached in the window. `grid` is the whole portfolio's
table: for each metric, the verdict of each scope it is reported for. Pure functions of an
assessment; nothing here reads files or knows about pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator import model as m
from generator.assess import stats
from generator.assess.metrics import MetricResult, ScopeResult, SignalResult, TrendResult
from generator.assess.states import MetricState
from generator.assess.status import Assessment


@dataclass(frozen=True)
class ScopeSummary:
    """One scope of a metric over its evaluation window."""

    scope: str
    status: MetricState
    window: tuple[m.Month, m.Month] | None
    months: int  # judged: with a target in force, or missing (a miss)
    met: int
    mean: float | None
    n: int | None  # total sample size of the window; None unless every month gives one
    trend: TrendResult | None
    limits: stats.Limits | None  # of the scope's current (last) phase
    signals: tuple[SignalResult, ...]  # reached inside the window
    target: m.Target | None  # in force in the window's last month
    last: float | None  # the window's last value

    @property
    def attainment(self) -> float | None:
        """Share of the window's judged months that met the target, from 0 to 1."""
        return self.met / self.months if self.months else None


def summary(metric: m.Metric, scope: ScopeResult) -> ScopeSummary:
    """The window figures of one scope (see the module's rules)."""
    verdict, window = scope.verdict, scope.verdict.window
    rows = [r for r in scope.months if window is not None and window[0] <= r.period <= window[1]]
    values = [r.value for r in rows]
    counts = [r.n for r in rows]
    n = sum(c for c in counts if c is not None) if rows and None not in counts else None
    signals = tuple(
        s
        for p in scope.phases
        for s in p.signals
        if window is not None and window[0] <= s.reached <= window[1]
    )
    return ScopeSummary(
        scope=scope.scope,
        status=verdict.status,
        window=window,
        months=verdict.months,
        met=verdict.met_months,
        mean=sum(values) / len(values) if values else None,
        n=n if metric.sampled else None,
        trend=scope.trend,
        limits=scope.phases[-1].limits if scope.phases else None,
        signals=signals,
        target=metric.target_for(window[1], scope.scope) if window else None,
        last=values[-1] if values else None,
    )


def summaries(result: MetricResult) -> tuple[ScopeSummary, ...]:
    """Every scope of a metric, in the metric's order of scopes."""
    return tuple(summary(result.metric, s) for s in result.scopes)


@dataclass(frozen=True)
class GridRow:
    """One metric of the portfolio-wide table: the verdict of each scope it reports."""

    metric: m.Metric
    status: MetricState
    cells: dict[str, MetricState]  # by scope ID; a scope the metric does not report is absent


@dataclass(frozen=True)
class Grid:
    """Every metric against every scope some metric is reported for (portfolio order)."""

    scopes: tuple[str, ...]
    rows: tuple[GridRow, ...]

    def count(self, scope: str, status: str) -> int:
        """How many metrics reported for `scope` have `status` there."""
        return sum(1 for r in self.rows if r.cells.get(scope) == status)

    def reported(self, scope: str) -> int:
        return sum(1 for r in self.rows if scope in r.cells)


def grid(assessment: Assessment) -> Grid:
    """The portfolio-wide table: rows by metric ID, columns in the order of `portfolio.yaml`
    (entity, sites, programs, suppliers), only the scopes some metric is reported for."""
    rows = tuple(
        GridRow(r.metric, r.status, {s.scope: s.verdict.status for s in r.scopes})
        for _, r in sorted(assessment.metrics.items())
    )
    used = {scope for row in rows for scope in row.cells}
    order = [u.id for u in assessment.portfolio.config.scope if u.id in used]
    return Grid(tuple(order), rows)
