"""Assessing one metric: monthly attainment, the evaluation rule, trend, XmR phases, margins.

Pure functions of the model and the portfolio's evaluation rules; nothing here reads the
clock. A metric reported per site or program is assessed per scope, and its status is the
worst of its scopes.

Phases: the first phase starts with the first month of data; every `phase` annotation starts
another. Each phase's limits come from its first `baseline_months` points (all of them when
the phase is shorter) and are never recomputed silently. Signals are judged against the limits
of the phase they fall in: a point beyond the limits, a run of 8 on one side of the centre,
6 moves steadily rising or falling (a trend belongs to the phase it ends in). A run of 8 on the
favourable side of the current phase's centre that no phase annotation explains is offered as
a "new phase?" suggestion.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from generator import model as m
from generator.assess import stats
from generator.assess.messages import Code, Message
from generator.assess.states import METRIC_STATUSES, MetricState

RUN_LENGTH = 8
TREND_MOVES = 6
STATUS_ORDER = METRIC_STATUSES  # best first; a split metric takes its worst scope


@dataclass(frozen=True)
class MonthResult:
    period: m.Month
    value: float
    target: float | None
    low: float | None
    high: float | None
    met: bool | None  # None: no target in force that month
    n: int | None
    # the 95 % interval in the metric's unit: Wilson for a sampled proportion (asymmetric
    # near 0 and 100 %), value ± the NPS margin for a net promoter score, else None
    interval: tuple[float, float] | None
    low_n: bool
    phase: int
    span: object


@dataclass(frozen=True)
class SignalResult:
    rule: str  # "beyond-limits" | "run" | "trend"
    direction: str  # "above" | "below" | "rising" | "falling"
    start: m.Month
    end: m.Month
    reached: m.Month
    points: int
    phase: int
    favourable: bool
    annotated: bool


@dataclass(frozen=True)
class Shift:
    """How a phase compares with the limits of the phase before it."""

    beyond_previous: int
    favourable: int
    run_reached: m.Month | None


@dataclass(frozen=True)
class PhaseResult:
    index: int
    start: m.Month
    end: m.Month
    baseline_end: m.Month
    reason: Message
    limits: stats.Limits | None
    signals: tuple[SignalResult, ...]
    shift: Shift | None


@dataclass(frozen=True)
class TrendResult:
    points: int
    s: int
    p: float
    slope: float
    tendency: str  # sign of S: "up" | "down" | "none"
    favourable: bool  # significant (p < alpha) in the metric's good direction


@dataclass(frozen=True)
class Verdict:
    status: MetricState
    window: tuple[m.Month, m.Month] | None
    months: int
    met_months: int
    required: int
    rule: Message
    because: Message
    missing: tuple[m.Month, ...] = ()  # months of the window with no data: each a miss


@dataclass(frozen=True)
class ScopeResult:
    scope: str
    months: tuple[MonthResult, ...]
    misses_by_year: dict[int, int]
    months_by_year: dict[int, int]
    means_by_year: dict[int, float]
    verdict: Verdict
    trend: TrendResult | None
    phases: tuple[PhaseResult, ...]
    suggestions: tuple[Message, ...]


@dataclass(frozen=True)
class MetricResult:
    metric: m.Metric
    scopes: tuple[ScopeResult, ...]
    status: MetricState
    findings: tuple[str, ...]


def interval(metric: m.Metric, obs: m.Observation) -> tuple[float, float] | None:
    """The month's 95 % interval: Wilson for proportions, value ± margin for NPS."""
    sample = metric.sample
    if sample is None or obs.n is None or obs.n < 1:
        return None
    if sample.statistic == "proportion":
        p_hat = min(max(obs.value / 100.0, 0.0), 1.0)
        low, high = stats.wilson_interval(p_hat, obs.n)
        return low * 100.0, high * 100.0
    if sample.statistic == "nps" and obs.promoters is not None and obs.detractors is not None:
        margin = stats.nps_margin(obs.promoters / obs.n, obs.detractors / obs.n, obs.n)
        return obs.value - margin, obs.value + margin
    return None


def _phase_starts(metric: m.Metric, scope: str, first: m.Month) -> list[tuple[m.Month, Message]]:
    starts = [(first, Message.of(Code.FIRST_PHASE))]
    for note in sorted(metric.annotations_for(scope), key=lambda a: a.period):
        if note.kind == "phase" and note.period > first:
            starts.append((note.period, Message.of(Code.PHASE_ANNOTATION, text=note.text)))
    return starts


def _favourable(direction: str, signal_direction: str) -> bool:
    good = {"higher": ("above", "rising"), "lower": ("below", "falling")}
    return signal_direction in good.get(direction, ())


def _annotated(metric: m.Metric, scope: str, start: m.Month, end: m.Month) -> bool:
    return any(start <= a.period <= end for a in metric.annotations_for(scope))


def _phases(
    metric: m.Metric,
    scope: str,
    rows: list[m.Observation],
    baseline: int,
) -> tuple[list[PhaseResult], list[int], list[Message]]:
    periods = [o.period for o in rows]
    indices = [p.index for p in periods]
    values = [o.value for o in rows]
    starts = _phase_starts(metric, scope, periods[0])
    bounds = []
    for k, (start, reason) in enumerate(starts):
        lo = next((i for i, p in enumerate(indices) if p >= start.index), len(periods))
        hi = next(
            (
                i
                for i, p in enumerate(indices)
                if k + 1 < len(starts) and p >= starts[k + 1][0].index
            ),
            len(periods),
        )
        if lo < hi:
            bounds.append((lo, hi, reason))
    phase_of = [0] * len(rows)
    for k, (lo, hi, _) in enumerate(bounds):
        for i in range(lo, hi):
            phase_of[i] = k
    whole_trends = stats.trends(values, TREND_MOVES)
    results: list[PhaseResult] = []
    suggestions: list[Message] = []
    previous: stats.Limits | None = None
    for k, (lo, hi, reason) in enumerate(bounds):
        segment = values[lo:hi]
        base = segment[: min(baseline, len(segment))]
        limits = stats.xmr_limits(base)
        found: list[tuple[str, str, int, int, int]] = []
        if limits is not None:
            found += [
                (s.rule, s.direction, s.start + lo, s.end + lo, s.reached + lo)
                for s in stats.beyond_limits(segment, limits)
            ]
            found += [
                (s.rule, s.direction, s.start + lo, s.end + lo, s.reached + lo)
                for s in stats.runs(segment, limits.centre, RUN_LENGTH)
            ]
        found += [
            (s.rule, s.direction, s.start, s.end, s.reached)
            for s in whole_trends
            if lo <= s.end < hi
        ]
        signals = tuple(
            SignalResult(
                rule,
                direction,
                periods[a],
                periods[b],
                periods[r],
                b - a + 1,
                k,
                _favourable(metric.direction, direction),
                _annotated(metric, scope, periods[a], periods[b]),
            )
            for rule, direction, a, b, r in sorted(found, key=lambda f: (f[4], f[0], f[2]))
        )
        shift = None
        if previous is not None:
            beyond = stats.beyond_limits(segment, previous)
            run_hits = [
                s for s in stats.runs(values[:hi], previous.centre, RUN_LENGTH) if s.end >= lo
            ]
            shift = Shift(
                beyond_previous=len(beyond),
                favourable=sum(1 for s in beyond if _favourable(metric.direction, s.direction)),
                run_reached=periods[run_hits[0].reached] if run_hits else None,
            )
        for signal in signals:
            if signal.rule == "run" and signal.favourable and k == len(bounds) - 1:
                centre = limits.centre if limits else 0.0
                suggestions.append(
                    Message.of(
                        Code.NEW_PHASE, start=signal.start, points=signal.points, centre=centre
                    )
                )
        results.append(
            PhaseResult(
                k,
                periods[lo],
                periods[hi - 1],
                periods[lo + len(base) - 1],
                reason,
                limits,
                signals,
                shift,
            )
        )
        previous = limits
    return results, phase_of, suggestions


def _trend(
    direction: str,
    rows: list[m.Observation],
    alpha: float,
    minimum: int,
) -> TrendResult | None:
    """Mann-Kendall and Sen over the window. A band metric gets its trend too (a drift toward
    one edge is what an auditor asks about) but it is never favourable: no verdict uses it."""
    if len(rows) < max(minimum, 3):
        return None
    test = stats.mann_kendall([o.value for o in rows], alpha)
    if test is None:
        return None
    good = {"higher": "up", "lower": "down"}.get(direction)
    favourable = good is not None and test.direction == good
    return TrendResult(len(rows), test.s, test.p, test.slope, test.tendency, favourable)


def _verdict(
    window_rows: list[MonthResult],
    missing: tuple[m.Month, ...],
    trend: TrendResult | None,
    rules: m.Evaluation,
    alpha: float,
) -> Verdict:
    rule = Message.of(Code.RULE, min=rules.min_months_met, window=rules.window_months, alpha=alpha)
    judged = [r for r in window_rows if r.met is not None]
    if not judged and not missing:
        because = Message.of(Code.NO_DATA_IN_WINDOW)
        return Verdict(MetricState.NO_DATA, None, 0, 0, 0, rule, because)
    periods = sorted([*(r.period for r in window_rows), *missing], key=lambda p: p.index)
    window = (periods[0], periods[-1])
    months, met_months = len(judged) + len(missing), sum(1 for r in judged if r.met)
    # a window shorter than configured needs the same share of months
    required = -(-rules.min_months_met * months // rules.window_months)

    def verdict(status: MetricState, because: Message) -> Verdict:
        if missing:
            because = Message.of(Code.MISSING_MONTHS, verdict=because, missing=missing)
        return Verdict(status, window, months, met_months, required, rule, because, missing)

    if met_months >= required:
        return verdict(MetricState.MET, Message.of(Code.TARGET_MET, met=met_months, months=months))
    tendency = "rising" if trend is not None and trend.tendency == "up" else "falling"
    if trend is not None and trend.favourable:
        because = Message.of(
            Code.IMPROVING,
            met=met_months,
            months=months,
            tendency=tendency,
            p=trend.p,
            slope=trend.slope,
        )
        return verdict(MetricState.IMPROVING, because)
    missed = months - met_months
    if trend is not None and trend.tendency != "none" and trend.p < alpha:
        because = Message.of(
            Code.TARGET_MISSED_TREND, missed=missed, months=months, tendency=tendency, p=trend.p
        )
    else:
        because = Message.of(Code.TARGET_MISSED, missed=missed, months=months)
    return verdict(MetricState.NOT_MET, because)


def last_complete_month(as_of: dt.date) -> m.Month:
    """The last month that has ended by `as_of` (its own month when `as_of` is its last day)."""
    month = m.Month.of(as_of)
    return month if (as_of + dt.timedelta(days=1)).month != as_of.month else month + -1


def assess_scope(metric: m.Metric, scope: str, rules: m.Evaluation, as_of: dt.date) -> ScopeResult:
    """One scope's series up to `as_of` (later rows are ignored).

    The evaluation window is the last `window_months` complete months before `as_of` (from
    the scope's first month of data, when that is later); a month in it without data is a
    miss, named in the verdict."""
    last = m.Month.of(as_of).index
    rows = [o for o in metric.observations if o.scope == scope and o.period.index <= last]
    if not rows:
        rule = Message.of(
            Code.RULE,
            min=rules.min_months_met,
            window=rules.window_months,
            alpha=rules.trend_alpha,
        )
        because = Message.of(Code.NO_DATA_FOR_SCOPE)
        verdict = Verdict(MetricState.NO_DATA, None, 0, 0, 0, rule, because)
        return ScopeResult(scope, (), {}, {}, {}, verdict, None, (), ())
    phases, phase_of, suggestions = _phases(metric, scope, rows, rules.baseline_months)
    months = []
    for obs, phase in zip(rows, phase_of, strict=True):
        target = metric.target_for(obs.period, scope)
        met = (
            None
            if target is None
            else stats.met(obs.value, metric.direction, target.value, target.low, target.high)
        )
        low_n = bool(metric.sample and obs.n is not None and obs.n < metric.sample.planned_n)
        months.append(
            MonthResult(
                obs.period,
                obs.value,
                target.value if target else None,
                target.low if target else None,
                target.high if target else None,
                met,
                obs.n,
                interval(metric, obs),
                low_n,
                phase,
                obs.span,
            )
        )
    by_year: dict[int, list[MonthResult]] = defaultdict(list)
    for row in months:
        by_year[row.period.year].append(row)
    window_end = last_complete_month(as_of)
    first = max((window_end + (1 - rules.window_months)).index, rows[0].period.index)
    end = window_end.index
    window_rows = [r for r in months if first <= r.period.index <= end]
    seen = {r.period.index for r in window_rows}
    missing = tuple(m.Month.from_index(i) for i in range(first, end + 1) if i not in seen)
    trend = _trend(
        metric.direction,
        [o for o in rows if first <= o.period.index <= end],
        rules.trend_alpha,
        rules.min_trend_points,
    )
    return ScopeResult(
        scope=scope,
        months=tuple(months),
        misses_by_year={y: sum(1 for r in rs if r.met is False) for y, rs in by_year.items()},
        months_by_year={y: len(rs) for y, rs in by_year.items()},
        means_by_year={y: sum(r.value for r in rs) / len(rs) for y, rs in by_year.items()},
        verdict=_verdict(window_rows, missing, trend, rules, rules.trend_alpha),
        trend=trend,
        phases=tuple(phases),
        suggestions=tuple(suggestions),
    )


def assess_metric(
    metric: m.Metric, rules: m.Evaluation, as_of: dt.date, findings: tuple[str, ...] = ()
) -> MetricResult:
    scopes = tuple(assess_scope(metric, scope, rules, as_of) for scope in metric.scope)
    status = max(
        (s.verdict.status for s in scopes), key=STATUS_ORDER.index, default=MetricState.NO_DATA
    )
    return MetricResult(metric, scopes, status, findings)
