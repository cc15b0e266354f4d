"""Suppliers as a VMO sees them: one scorecard per supplier, and the suppliers ranked metric by
metric over the last evaluation window, with the caveats that limit the comparison.

A supplier's scorecard holds every metric reported for it (its figures over the window from
`compare.summary`, against the target in force for it: the contract's), every finding whose
`scope` names it, and every evidence item whose `scope` names it (the governance evidence:
business reviews, audits of the supplier, contract changes).

Ranking, for each metric reported for two suppliers or more: by attainment over the window
(met months ÷ judged months; a month of the window without data is judged and missed), then
by the window's mean in the metric's good direction (higher or lower; for a band, the
distance from the middle of the supplier's band, smaller first). Suppliers level on both share
a rank (1, 1, 3); a supplier with no month judged in the window is not ranked. Caveats: the
window's total samples differ by a factor of `SAMPLE_RATIO` or more (sampled metrics), the
suppliers are measured by different formulas (`Metric.formula_for`: the metric's
`definitions`), or they were judged over different months.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator import model as m
from generator.assess.compare import ScopeSummary, summary
from generator.assess.metrics import MetricResult
from generator.assess.status import Assessment, FindingStatus, Freshness

#: Window samples this many times apart (largest ÷ smallest) make the "sample sizes" caveat.
SAMPLE_RATIO = 2.0


@dataclass(frozen=True)
class SupplierMetric:
    """One metric of a supplier's scorecard: the metric's result and the supplier's figures."""

    result: MetricResult
    figures: ScopeSummary
    own_definition: bool  # measured by a formula of its own (`definitions`)


@dataclass(frozen=True)
class Scorecard:
    """Everything the VMO holds about one supplier."""

    supplier: m.ScopeUnit
    metrics: tuple[SupplierMetric, ...]
    findings: tuple[FindingStatus, ...]
    evidence: tuple[Freshness, ...]


@dataclass(frozen=True)
class Ranked:
    """A supplier's place for one metric; `rank` None: nothing judged in the window."""

    supplier: str
    rank: int | None
    figures: ScopeSummary


@dataclass(frozen=True)
class Ranking:
    """The suppliers of one metric, best first, with the comparison's caveats."""

    metric: m.Metric
    rows: tuple[Ranked, ...]
    sample_sizes: tuple[int, int] | None  # smallest and largest window n, when they differ
    definitions: tuple[str, ...]  # the suppliers measured by a formula of their own
    months_differ: bool  # not every supplier was judged over the same months

    @property
    def caveats(self) -> bool:
        return bool(self.sample_sizes or self.definitions or self.months_differ)


def suppliers(portfolio: m.Portfolio) -> tuple[m.ScopeUnit, ...]:
    """The portfolio's suppliers, in the order of `portfolio.yaml`."""
    return tuple(u for u in portfolio.config.scope if u.kind == "supplier")


def _own(metric: m.Metric, scope: str) -> bool:
    return any(d.scope == scope for d in metric.definitions)


def scorecard(assessment: Assessment, supplier: m.ScopeUnit) -> Scorecard:
    """One supplier's scorecard (see the module's rules)."""
    metrics = []
    for result in assessment.metrics.values():
        for scope in result.scopes:
            if scope.scope == supplier.id:
                figures = summary(result.metric, scope)
                metrics.append(SupplierMetric(result, figures, _own(result.metric, supplier.id)))
    findings = tuple(
        s for _, s in sorted(assessment.findings.items()) if supplier.id in s.finding.scope
    )
    evidence = tuple(
        f for _, f in sorted(assessment.evidence.items()) if supplier.id in f.evidence.scope
    )
    return Scorecard(supplier, tuple(metrics), findings, evidence)


def scorecards(assessment: Assessment) -> tuple[Scorecard, ...]:
    """Every supplier's scorecard, in the order of `portfolio.yaml`."""
    return tuple(scorecard(assessment, s) for s in suppliers(assessment.portfolio))


def _middle(target: m.Target | None) -> float | None:
    if target is None or target.low is None or target.high is None:
        return None
    return (target.low + target.high) / 2


def _key(metric: m.Metric, figures: ScopeSummary) -> tuple[float, float]:
    """Smaller is better: attainment first, then the mean in the good direction."""
    attainment = figures.attainment or 0.0
    mean = figures.mean if figures.mean is not None else 0.0
    if metric.direction == "higher":
        second = -mean
    elif metric.direction == "lower":
        second = mean
    else:
        middle = _middle(figures.target)
        second = abs(mean - middle) if middle is not None else 0.0
    return (-attainment, second)


def ranking(result: MetricResult, ids: set[str]) -> Ranking:
    """The suppliers among `ids` that `result`'s metric is reported for, ranked."""
    metric = result.metric
    figures = [summary(metric, s) for s in result.scopes if s.scope in ids]
    judged = sorted((f for f in figures if f.months), key=lambda f: _key(metric, f))
    rows: list[Ranked] = []
    for position, f in enumerate(judged, 1):
        level = bool(rows) and _key(metric, rows[-1].figures) == _key(metric, f)
        rows.append(Ranked(f.scope, rows[-1].rank if level else position, f))
    rows += [Ranked(f.scope, None, f) for f in figures if not f.months]
    sizes = [f.n for f in judged if f.n is not None]
    differ = bool(sizes) and min(sizes) * SAMPLE_RATIO <= max(sizes)
    return Ranking(
        metric=metric,
        rows=tuple(rows),
        sample_sizes=(min(sizes), max(sizes)) if differ else None,
        definitions=tuple(
            f.scope
            for f in figures
            if metric.formula_for(f.scope) != metric.formula or _own(metric, f.scope)
        )
        if len({metric.formula_for(f.scope) for f in figures}) > 1
        else (),
        months_differ=len({(f.window, f.months) for f in figures}) > 1,
    )


def rankings(assessment: Assessment) -> tuple[Ranking, ...]:
    """A ranking for every metric reported for two suppliers or more, by metric ID."""
    ids = {s.id for s in suppliers(assessment.portfolio)}
    return tuple(
        ranking(result, ids)
        for _, result in sorted(assessment.metrics.items())
        if len(ids & set(result.metric.scope)) >= 2
    )
