"""Chart specs built from the assessment, and their text alternatives.

The specs are the dataclasses of `chartspec` (re-exported here): the numbers and words each
chart needs, built by `metric_chart`, `overview_chart` and `findings_chart`; `alt_text` states
a chart's numbers and its annotations in full, in the portfolio's language (`formats`).
Nothing here draws, reads files or imports matplotlib.
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from generator import model as m
from generator.assess.metrics import MetricResult, ScopeResult
from generator.assess.states import METRIC_STATUSES, REQUIREMENT_STATUSES, FindingState
from generator.assess.status import Assessment
from generator.site import formats
from generator.site.chartspec import (
    ChartSpec,
    CompareChart,
    FindingsChart,
    JourneyChart,
    LowNSpec,
    MetricChart,
    NoteSpec,
    OverviewChart,
    PanelSpec,
    PhaseSpec,
    SignalSpec,
)
from generator.site.comparechart import compare_alt
from generator.site.i18n import Labels
from generator.site.journeychart import journey_alt, journey_chart

__all__ = [  # the spec types are defined in `chartspec` and named through here too
    "ChartSpec",
    "CompareChart",
    "FindingsChart",
    "JourneyChart",
    "LowNSpec",
    "MetricChart",
    "NoteSpec",
    "OverviewChart",
    "PanelSpec",
    "PhaseSpec",
    "SignalSpec",
    "alt_text",
    "clean_text",
    "findings_chart",
    "journey_chart",
    "metric_chart",
    "metric_words",
    "overview_chart",
    "when",
    "word_of",
]


def clean_text(text: str, limit: int | None = 120) -> str:
    """One line of printable text (XML forbids control characters), cut at `limit` (a name or
    a title); without a limit kept whole (an annotation: the chart wraps it)."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return flat if limit is None or len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _words(labels: Labels, keys: tuple[str, ...], words: tuple[str, ...]) -> Any:
    table = {k: labels[k] for k in keys} | {f"w:{w}": labels.word(w) for w in words}
    return tuple(sorted(table.items()))


def when(text: str, language: str) -> str:
    """A comparator's date as the user wrote it (a year, `YYYY-MM` or `YYYY-MM-DD`), a month
    written the language's way (`Dec 2024`, `des. 2024`); anything else unchanged."""
    if len(text) == 7 and text[4] == "-" and (text[:4] + text[5:]).isdigit():
        return formats.month(text, language) if 1 <= int(text[5:]) <= 12 else text
    return text


_METRIC_KEYS = (
    *("chart_value", "chart_target", "chart_band", "chart_centre", "chart_limits"),
    *("chart_signal", "chart_missed", "chart_low_n", "chart_comparator", "phase"),
    *("lower_limit", "upper_limit", "misses_by_year", "status", "signals"),
    *("chart_trend", "chart_no_data", "annotations"),
)
_SIGNAL_WORDS = ("beyond-limits", "run", "trend", "above", "below", "rising", "falling")


def metric_words(labels: Labels) -> tuple[tuple[str, str], ...]:
    """The words a metric chart prints (its `words`), in the labels' language."""
    return tuple(_words(labels, _METRIC_KEYS, _SIGNAL_WORDS))


def _panel(metric: m.Metric, scope: ScopeResult, base: int, labels: Labels) -> PanelSpec:
    rows = scope.months
    x = tuple(r.period.index - base for r in rows)
    signals = []
    for phase in scope.phases:
        for s in phase.signals:
            points = tuple(
                xi for xi, r in zip(x, rows, strict=True) if s.start <= r.period <= s.end
            )
            signals.append(SignalSpec(s.rule, s.direction, str(s.start), str(s.end), points))
    return PanelSpec(
        scope=scope.scope,
        x=x,
        values=tuple(r.value for r in rows),
        missed=tuple(xi for xi, r in zip(x, rows, strict=True) if r.met is False),
        target=tuple(r.target for r in rows),
        band=tuple(
            (r.low, r.high) if r.low is not None and r.high is not None else None for r in rows
        ),
        phases=tuple(
            PhaseSpec(
                f"{labels['phase']} {p.index + 1}",
                p.start.index - base,
                p.end.index - base,
                p.limits.centre if p.limits else None,
                p.limits.lower if p.limits else None,
                p.limits.upper if p.limits else None,
            )
            for p in scope.phases
        ),
        signals=tuple(signals),
        low_n=tuple(
            LowNSpec(xi, r.value, r.n, *r.interval)
            for xi, r in zip(x, rows, strict=True)
            if r.low_n and r.interval is not None and r.n is not None
        ),
        misses_by_year=tuple(
            (y, scope.misses_by_year[y], scope.months_by_year[y])
            for y in sorted(scope.months_by_year)
        ),
        status=labels.word(scope.verdict.status),
        trend=_sen_line(scope, base),
        missing=tuple(p.index - base for p in scope.verdict.missing),
        comparators=tuple(
            i for i, c in enumerate(metric.comparators) if c.scope in (None, scope.scope)
        ),
    )


def _sen_line(scope: ScopeResult, base: int) -> tuple[float, float, float, float, float] | None:
    """Sen's slope through the window's points: intercept = median of y - slope·x."""
    trend, window = scope.trend, scope.verdict.window
    if trend is None or window is None:
        return None
    first, last = window[0].index - base, window[1].index - base
    points = [
        (r.period.index - base, r.value)
        for r in scope.months
        if first <= r.period.index - base <= last
    ]
    if not points:
        return None
    intercept = statistics.median(y - trend.slope * x for x, y in points)
    return (
        float(first),
        float(last),
        intercept + trend.slope * first,
        intercept + trend.slope * last,
        trend.p,
    )


def metric_chart(result: MetricResult, labels: Labels) -> MetricChart:
    """The monthly chart of one metric: values, target, XmR phases and signals, one panel
    per scope, annotations numbered in date order."""
    metric = result.metric
    periods = sorted(r.period for s in result.scopes for r in s.months)
    base = periods[0].index if periods else 0
    span = periods[-1].index - base + 1 if periods else 0
    notes = [a for a in sorted(metric.annotations, key=lambda a: a.period) if periods]
    notes = [a for a in notes if 0 <= a.period.index - base < span]
    return MetricChart(
        title=clean_text(f"{metric.id} {metric.title}"),
        unit=clean_text(metric.unit, 20),
        decimals=metric.decimals,
        months=tuple(str(periods[0] + i) for i in range(span)),
        panels=tuple(_panel(metric, s, base, labels) for s in result.scopes),
        comparators=tuple(
            (clean_text(c.label, 50), float(c.value), clean_text(c.date, 12))
            for c in metric.comparators
        ),
        notes=tuple(
            NoteSpec(i, a.period.index - base, labels.word(a.kind), clean_text(a.text, None))
            for i, a in enumerate(notes, 1)
        ),
        words=metric_words(labels),
        language=labels.language,
    )


def overview_chart(assessment: Assessment, labels: Labels) -> OverviewChart:
    """Requirement status per category (stacked counts) and metric status counts."""
    return OverviewChart(
        title=clean_text(
            f"{labels['readiness']} ({labels['as_of']} "
            f"{formats.date(assessment.as_of, labels.language)})"
        ),
        statuses=tuple(labels.word(s) for s in REQUIREMENT_STATUSES),
        categories=tuple(
            (clean_text(f"{c.id} {c.title}", 40), tuple(n for _, n in tally.counts))
            for c, tally in assessment.categories
        ),
        metric_statuses=tuple(labels.word(s) for s in METRIC_STATUSES),
        metrics=tuple(n for _, n in assessment.tally("metrics").counts),
        words=_words(labels, ("chart_requirements", "chart_metrics", "count"), ()),
        language=labels.language,
    )


def findings_chart(assessment: Assessment, labels: Labels) -> FindingsChart:
    """Cumulative findings raised and closed by date up to `as_of`, with the due dates of the
    findings still open (the date that matters now: action or effectiveness check)."""
    as_of = assessment.as_of
    statuses = sorted(assessment.findings.values(), key=lambda s: s.finding.id)
    raised = sorted(s.finding.raised for s in statuses)
    closed = sorted(
        s.finding.closed for s in statuses if s.finding.closed and s.finding.closed <= as_of
    )

    def steps(days: list[dt.date]) -> tuple[tuple[str, int], ...]:
        return tuple((d.isoformat(), days.count(d) + days.index(d)) for d in sorted(set(days)))

    return FindingsChart(
        title=clean_text(
            f"{labels['findings']} ({labels['as_of']} {formats.date(as_of, labels.language)})"
        ),
        start=(raised[0] if raised else as_of).isoformat(),
        as_of=as_of.isoformat(),
        raised=steps(raised),
        closed=steps(closed),
        due=tuple(
            (s.due.isoformat(), clean_text(s.finding.id, 20))
            for s in statuses
            if s.due is not None
            and s.state in (FindingState.OPEN, FindingState.OVERDUE, FindingState.IMPLEMENTED)
        ),
        words=_words(
            labels,
            ("raised", "chart_findings_open", "chart_findings_closed", "as_of", "due", "count"),
            (),
        ),
        language=labels.language,
    )


def word_of(spec: ChartSpec, key: str) -> str:
    return dict(spec.words)[key]


def _segments(
    spec: MetricChart, x: tuple[int, ...], values: tuple[Any, ...]
) -> list[tuple[Any, str]]:
    """Runs of equal values: (value, its months written as a span in the chart's language)."""
    runs: list[tuple[Any, int, int]] = []
    for xi, v in zip(x, values, strict=True):
        if runs and runs[-1][0] == v:
            runs[-1] = (v, runs[-1][1], xi)
        else:
            runs.append((v, xi, xi))
    return [(v, _span(spec, a, b)) for v, a, b in runs if v is not None]


def _span(spec: MetricChart, first: int, last: int) -> str:
    return formats.month_range(spec.months[first], spec.months[last], spec.language)


def _alt_panel(spec: MetricChart, panel: PanelSpec) -> list[str]:
    w, d, unit, lang = dict(spec.words), spec.decimals, spec.unit, spec.language

    def value(v: float, places: int = d) -> str:
        return formats.with_unit(v, places, unit, lang, trim=True)

    def number(v: float, places: int = d) -> str:
        return formats.number(v, places, lang, trim=True)

    parts = []
    targets = _segments(spec, panel.x, panel.target)
    if len(targets) == 1:
        parts.append(f"{w['chart_target']} {value(targets[0][0])}")
    elif targets:
        texts = [f"{value(t)} ({span})" for t, span in targets]
        parts.append(f"{w['chart_target']} " + ", ".join(texts))
    for band, span in _segments(spec, panel.x, panel.band):
        parts.append(f"{w['chart_band']} {number(band[0])}–{value(band[1])} ({span})")
    places = max(2, d)
    phase = next((p for p in reversed(panel.phases) if p.centre is not None), None)
    if phase is not None and phase.lower is not None and phase.upper is not None:
        exact = [formats.number(v, places, lang) for v in (phase.centre, phase.lower, phase.upper)]
        parts.append(
            f"{phase.label} ({_span(spec, phase.start, phase.end)}): "
            f"{w['chart_centre']} {exact[0]}, {w['chart_limits']} {exact[1]}–{exact[2]}"
        )
        signals = [s for s in panel.signals if s.points and s.points[-1] >= phase.start]
        if signals:
            parts.append(
                f"{w['signals']}: "
                + ", ".join(
                    f"{w['w:' + s.rule]} {w['w:' + s.direction]} "
                    + (
                        formats.month(s.end, lang)
                        if s.start == s.end
                        else f"{formats.month_range(s.start, s.end, lang)} ({len(s.points)})"
                    )
                    for s in signals
                )
            )
    if panel.misses_by_year:
        year, misses, months = panel.misses_by_year[-1]
        parts.append(f"{w['misses_by_year']} {year}: {misses}/{months}")
    parts += [
        f"{w['chart_comparator']}: {label} {value(v)} ({when(date, lang)})"
        for i, (label, v, date) in enumerate(spec.comparators)
        if i in panel.comparators
    ]
    parts += [
        f"{w['chart_low_n']}: {formats.month(spec.months[lo.x], lang)} "
        f"n = {formats.number(lo.n, 0, lang)}, {number(lo.low, d + 1)}–{value(lo.high, d + 1)}"
        for lo in panel.low_n
    ]
    if panel.trend is not None:
        x0, x1, y0, y1, p = panel.trend
        slope = (y1 - y0) / (x1 - x0) if x1 > x0 else 0.0
        language = spec.language
        shown = f"{formats.p_value(p, language)}, {formats.signed(slope, d + 1, language)}"
        parts.append(f"{w['chart_trend']}: {shown}")
    if panel.missing:
        parts.append(f"{w['chart_no_data']}: " + ", ".join(spec.months[x] for x in panel.missing))
    parts.append(f"{w['status']}: {panel.status}")
    return parts


def _alt_notes(spec: MetricChart) -> str:
    """The chart's numbered annotations, each in full, as the chart lists them under its plot:
    ` Annotations: 1 (Jun 2023, event): text.`, empty without any."""
    notes = [
        f"{n.number} ({formats.month(spec.months[n.x], spec.language)}, {n.kind}): {n.text}"
        for n in spec.notes
    ]
    ended = [n if n.endswith((".", "!", "?")) else n + "." for n in notes]
    return f" {word_of(spec, 'annotations')}: " + " ".join(ended) if ended else ""


def alt_text(spec: ChartSpec) -> str:
    """A factual text alternative stating the chart's numbers and, for a metric, its
    annotations in full, worded with the portfolio's labels, numbers and months written in
    its language."""
    lang = spec.language
    if isinstance(spec, JourneyChart):
        return journey_alt(spec)
    if isinstance(spec, CompareChart):  # a split metric's scopes side by side
        return compare_alt(spec)
    if isinstance(spec, MetricChart):
        head = spec.title + (f", {_span(spec, 0, len(spec.months) - 1)}" if spec.months else "")
        panels = [
            (f"{p.scope}: " if len(spec.panels) > 1 else "") + "; ".join(_alt_panel(spec, p))
            for p in spec.panels
        ]
        text = f"{head}: " + ". ".join(panels) + "." if panels else f"{head}."
        return text + _alt_notes(spec)

    def count(n: int) -> str:
        return formats.number(n, 0, lang)

    if isinstance(spec, OverviewChart):

        def counts(names: tuple[str, ...], values: tuple[int, ...]) -> str:
            return ", ".join(f"{n} {count(v)}" for n, v in zip(names, values, strict=True))

        totals = tuple(sum(c[1][i] for c in spec.categories) for i in range(len(spec.statuses)))
        cats = "; ".join(
            f"{name}: "
            + ", ".join(f"{s} {count(n)}" for s, n in zip(spec.statuses, c, strict=True) if n)
            for name, c in spec.categories
            if any(c)
        )
        return (
            f"{spec.title}. {word_of(spec, 'chart_requirements')}: {counts(spec.statuses, totals)}"
            + (f" ({cats})" if cats else "")
            + f". {word_of(spec, 'chart_metrics')}: "
            f"{counts(spec.metric_statuses, spec.metrics)}."
        )

    def day(iso: str) -> str:
        return formats.date(dt.date.fromisoformat(iso), lang)

    raised = spec.raised[-1][1] if spec.raised else 0
    closed = spec.closed[-1][1] if spec.closed else 0
    due = ", ".join(f"{fid} {day(iso)}" for iso, fid in spec.due)
    return (
        f"{spec.title}, {day(spec.start)} – {day(spec.as_of)}: "
        f"{word_of(spec, 'raised')} {count(raised)}, "
        f"{word_of(spec, 'chart_findings_closed')} {count(closed)}, "
        f"{word_of(spec, 'chart_findings_open')} "
        f"{count(raised - closed)}" + (f"; {word_of(spec, 'due')}: {due}" if due else "") + "."
    )
