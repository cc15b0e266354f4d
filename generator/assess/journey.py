"""Readiness over the journey: requirement status by category at every month end, from the
portfolio's start to its as-of date, each date assessed as the portfolio stood then.

The start is the earliest month of any dated record: a metric's first month of data, an
evidence item's date (or the date of the earliest version its `history` lists), a finding's
`raised` date; `Journey.start_from` says which ("metrics", "evidence", "findings"; on a tie,
in that order; "as_of" for a portfolio with no dated record before its as-of date). Every
month from the start is assessed at its last day, and the month of `as_of` at `as_of` itself,
so the last point is the assessment as of `as_of` (the sample: 24 month ends, 2023-01-31 to
2024-12-31, then 2025-01-15: 25 points).

What exists on a date is decided by the assessment's own rules (`status`), the same as for
`certfolio assess --as-of DATE`:
- evidence: an item dated later does not exist yet ("not yet issued", so it is no evidence),
  unless its `history` lists a version issued by then, which counts as current; its review and
  expiry dates are those of the item as it stands;
- findings: a finding raised later does not exist; actions done, implementation, closure,
  effectiveness checks and clearances dated later have not happened yet;
- metrics: only months of data up to the date's month, judged over the evaluation window that
  ends with the last month complete on the date, against the targets in force each month.
What has no date is taken as it stands today: the requirements, their wording and results
flag, and the links between records.

Cheap: one loaded portfolio, assessed per date. Whether a month of data met its target does
not depend on the date, so each metric scope's months are judged once; per date only the
window's verdict is recomputed (`metrics._verdict`, with the trend test only when the count
of months met falls short, the only case it decides), and only for metrics that support a
results requirement. Evidence, findings and requirements go through the assessment's own
functions (`status`). tests/test_journey.py checks every point against `assess_portfolio`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from generator import model as m
from generator.assess import stats
from generator.assess.metrics import (
    STATUS_ORDER,
    MetricResult,
    MonthResult,
    ScopeResult,
    _trend,
    _verdict,
    assess_scope,
    last_complete_month,
)
from generator.assess.states import REQUIREMENT_STATUSES, MetricState, RequirementState
from generator.assess.status import Tally, assess_finding, assess_freshness, assess_requirement


@dataclass(frozen=True)
class Point:
    """The requirements' status on one date: overall and per category."""

    month: m.Month
    day: dt.date  # the month's last day, or `as_of` for the month of `as_of`
    total: Tally
    categories: tuple[tuple[str, Tally], ...]  # by category ID, in the portfolio's order

    def tally(self, category: str) -> Tally:
        return dict(self.categories)[category]

    @property
    def partial(self) -> bool:
        """Assessed before the month's end: the month of `as_of`, up to `as_of`."""
        return self.day != month_end(self.month)


@dataclass(frozen=True)
class Journey:
    as_of: dt.date
    start_from: str  # what gave the first month: "metrics" | "evidence" | "findings" | "as_of"
    points: tuple[Point, ...]  # one per month, oldest first
    statuses: dict[str, tuple[RequirementState, ...]]  # per requirement, one per point

    @property
    def months(self) -> tuple[m.Month, ...]:
        return tuple(p.month for p in self.points)

    def met_since(self, requirement: str) -> m.Month | None:
        """The month the requirement last became met, when it is met at the last point."""
        states = self.statuses.get(requirement, ())
        if not states or states[-1] != RequirementState.MET:
            return None
        k = len(states) - 1
        while k > 0 and states[k - 1] == RequirementState.MET:
            k -= 1
        return self.points[k].month

    def met_until(self, requirement: str) -> m.Month | None:
        """The last month the requirement was met, when it was met once but is not now."""
        states = self.statuses.get(requirement, ())
        if not states or states[-1] == RequirementState.MET:
            return None
        met = [k for k, s in enumerate(states) if s == RequirementState.MET]
        return self.points[met[-1]].month if met else None


def month_end(month: m.Month) -> dt.date:
    """The month's last day."""
    following = month + 1
    return dt.date(following.year, following.month, 1) - dt.timedelta(days=1)


def start_of(portfolio: m.Portfolio) -> tuple[m.Month, str] | None:
    """The portfolio's first month and what gives it ("metrics", "evidence", "findings");
    None without any dated record."""
    kinds = (
        ("metrics", [o.period for x in portfolio.metrics.values() for o in x.observations]),
        (
            "evidence",
            [
                m.Month.of(day)
                for e in portfolio.evidence.values()
                for day in (e.date, *(v.date for v in e.history))
            ],
        ),
        ("findings", [m.Month.of(f.raised) for f in portfolio.findings.values()]),
    )
    found = [(min(months), order, kind) for order, (kind, months) in enumerate(kinds) if months]
    if not found:
        return None
    month, _, kind = min(found)
    return month, kind


def journey_dates(portfolio: m.Portfolio, as_of: dt.date) -> list[tuple[m.Month, dt.date]]:
    """Every month from the portfolio's start to `as_of`'s, with the date it is assessed at."""
    start = start_of(portfolio)
    last = m.Month.of(as_of)
    first = min(start[0], last) if start else last
    months = [m.Month.from_index(i) for i in range(first.index, last.index + 1)]
    return [(mo, min(month_end(mo), as_of)) for mo in months]


@dataclass(frozen=True)
class _Scope:
    """One scope's months of data, oldest first, each judged against its target once."""

    scope: str
    periods: list[int]
    rows: list[MonthResult]
    observations: list[m.Observation]


def _judged(metric: m.Metric) -> list[_Scope]:
    scopes = []
    for scope in metric.scope:
        observations = sorted(
            (o for o in metric.observations if o.scope == scope), key=lambda o: o.period.index
        )
        rows = []
        for obs in observations:
            target = metric.target_for(obs.period, scope)
            met = (
                None
                if target is None
                else stats.met(obs.value, metric.direction, target.value, target.low, target.high)
            )
            rows.append(
                MonthResult(
                    obs.period, obs.value, None, None, None, met, obs.n, None, False, 0, None
                )
            )
        scopes.append(_Scope(scope, [o.period.index for o in observations], rows, observations))
    return scopes


def _scope_on(metric: m.Metric, judged: _Scope, rules: m.Evaluation, day: dt.date) -> ScopeResult:
    """The scope's verdict on `day`, as `metrics.assess_scope` gives it (without the months,
    phases and signals, which no requirement status reads)."""
    if bisect_right(judged.periods, m.Month.of(day).index) == 0:
        return assess_scope(metric, judged.scope, rules, day)  # no data yet: nothing to redo
    window_end = last_complete_month(day)
    first = max((window_end + (1 - rules.window_months)).index, judged.periods[0])
    end = window_end.index
    lo, hi = bisect_left(judged.periods, first), bisect_right(judged.periods, end)
    window = judged.rows[lo:hi]
    seen = set(judged.periods[lo:hi])
    missing = tuple(m.Month.from_index(i) for i in range(first, end + 1) if i not in seen)
    verdict = _verdict(window, missing, None, rules, rules.trend_alpha)
    trend = None
    if verdict.status == MetricState.NOT_MET:  # only then can the trend change the status
        rows = judged.observations[lo:hi]
        trend = _trend(metric.direction, rows, rules.trend_alpha, rules.min_trend_points)
        verdict = _verdict(window, missing, trend, rules, rules.trend_alpha)
    return ScopeResult(judged.scope, (), {}, {}, {}, verdict, trend, (), ())


def _metric_on(
    metric: m.Metric,
    judged: list[_Scope],
    rules: m.Evaluation,
    day: dt.date,
    findings: tuple[str, ...],
) -> MetricResult:
    """The metric as `metrics.assess_metric` judges it on `day`: its worst scope; `findings`
    are those on it raised by then."""
    scopes = tuple(_scope_on(metric, s, rules, day) for s in judged)
    worst = max(
        (s.verdict.status for s in scopes), key=STATUS_ORDER.index, default=MetricState.NO_DATA
    )
    return MetricResult(metric, scopes, worst, findings)


def assess_journey(portfolio: m.Portfolio, as_of: dt.date | None = None) -> Journey:
    """The journey up to `as_of` (the portfolio's own date by default)."""
    config = portfolio.config
    last = as_of or config.as_of
    rules = config.evaluation
    results = [r for r in portfolio.requirements.values() if r.results]
    needed = sorted({mid for r in results for mid in portfolio.metrics_for(r.id)})
    judged = {mid: _judged(portfolio.metrics[mid]) for mid in needed}
    category = {rid: r.category for rid, r in portfolio.requirements.items()}
    statuses: dict[str, list[RequirementState]] = {rid: [] for rid in portfolio.requirements}
    points = []
    for month, day in journey_dates(portfolio, last):
        raised = {fid for fid, f in portfolio.findings.items() if f.raised <= day}
        findings = {fid: assess_finding(portfolio.findings[fid], day) for fid in sorted(raised)}
        evidence = {
            eid: assess_freshness(item, day, rules.freshness_warning_days)
            for eid, item in portfolio.evidence.items()
        }
        metrics = {
            mid: _metric_on(
                portfolio.metrics[mid],
                judged[mid],
                rules,
                day,
                tuple(f for f in portfolio.findings_for_metric(mid) if f in raised),
            )
            for mid in needed
        }
        now: dict[str, RequirementState] = {
            rid: assess_requirement(r, portfolio, evidence, findings, metrics, day).status
            for rid, r in portfolio.requirements.items()
        }
        for rid, state in now.items():
            statuses[rid].append(state)
        by_category = tuple(
            (c.id, _tally(s for rid, s in now.items() if category[rid] == c.id))
            for c in config.categories
        )
        points.append(Point(month, day, _tally(now.values()), by_category))
    start = start_of(portfolio)
    return Journey(
        last,
        start[1] if start and start[0] <= m.Month.of(last) else "as_of",
        tuple(points),
        {rid: tuple(states) for rid, states in statuses.items()},
    )


def _tally(states: Iterable[RequirementState]) -> Tally:
    values = list(states)
    return Tally(tuple((s, values.count(s)) for s in REQUIREMENT_STATUSES))


#: The columns of `journey_csv`.
CSV_COLUMNS = (
    "month",
    "date",
    "partial",
    "category",
    *REQUIREMENT_STATUSES,
    "total",
    "percent_met",
)


def journey_csv(journey: Journey) -> str:
    """The journey as CSV (`journey.csv` beside the journey page): per month one row for all
    requirements (an empty `category`), then one per category in the portfolio's order; the
    requirements in each status, their total and the share met in percent (1 decimal)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for point in journey.points:
        for category, tally in (("", point.total), *point.categories):
            writer.writerow(
                [
                    str(point.month),
                    point.day.isoformat(),
                    str(point.partial).lower(),
                    category,
                    *(tally[state] for state in REQUIREMENT_STATUSES),
                    tally.total,
                    f"{tally.percent('met'):.1f}",
                ]
            )
    return out.getvalue()
