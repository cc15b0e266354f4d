"""The side-by-side chart of a metric reported per site, program or supplier: every scope on
one y-axis, so their levels compare at a glance (the metric's own chart gives each scope a
panel with its own scale, limits and signals).

Up to `OVERLAY_MOST` scopes are drawn over each other in one plot, each with its own colour,
marker and line style and named in the legend; more are drawn as small multiples, one plot
per scope, every plot on the same scale (`CompareChart.ylim`). Like `charts`, nothing here
draws or imports matplotlib (`drawcompare` draws the spec); `charts.alt_text` hands a
`CompareChart` to `compare_alt`. Numbers and months are written in the portfolio's language.
"""

from __future__ import annotations

from generator.assess.metrics import MetricResult
from generator.assess.status import Assessment
from generator.site import formats
from generator.site.chartspec import CompareChart
from generator.site.i18n import Labels

#: At most this many scopes share one plot; more get a plot each, on one scale.
OVERLAY_MOST = 5
#: The labels the chart prints (its `words`).
WORDS = ("chart_target", "chart_band", "side_by_side", "compare_one_scale", "compare_range")


def _line(text: str, limit: int) -> str:
    """One printable line, cut at `limit` (`charts.clean_text`, which imports this module)."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _band(low: float | None, high: float | None) -> tuple[float, float] | None:
    return (low, high) if low is not None and high is not None else None


def path(metric: str) -> str:
    """The chart's file, beside the metric's own chart: `metrics/<ID>-compare.svg`."""
    return f"metrics/{metric}-compare.svg"


def compare_chart(result: MetricResult, labels: Labels) -> CompareChart | None:
    """The side-by-side chart of a metric with more than one scope (None for one scope, or
    no data)."""
    metric = result.metric
    periods = sorted({r.period for s in result.scopes for r in s.months})
    if len(result.scopes) < 2 or not periods:
        return None
    base = periods[0].index
    span = periods[-1].index - base + 1
    series: list[tuple[str, tuple[float | None, ...]]] = []
    targets: list[tuple[float | None, ...]] = []
    bands: list[tuple[tuple[float, float] | None, ...]] = []
    seen: list[float] = []
    for scope in result.scopes:
        by_x = {r.period.index - base: r for r in scope.months}
        values = tuple(by_x[x].value if x in by_x else None for x in range(span))
        target = tuple(by_x[x].target if x in by_x else None for x in range(span))
        band = tuple(_band(by_x[x].low, by_x[x].high) if x in by_x else None for x in range(span))
        series.append((_line(scope.scope, 30), values))
        targets.append(target)
        bands.append(band)
        seen += [v for v in (*values, *target) if v is not None]
        seen += [edge for pair in band if pair for edge in pair]
    lo, hi = min(seen), max(seen)
    pad = (hi - lo) * 0.06 or 1.0
    return CompareChart(
        title=_line(f"{metric.id} {metric.title}: {labels['side_by_side']}", 120),
        unit=_line(metric.unit, 20),
        decimals=metric.decimals,
        months=tuple(str(periods[0] + i) for i in range(span)),
        series=tuple(series),
        targets=tuple(targets),
        bands=tuple(bands),
        layout="overlay" if len(series) <= OVERLAY_MOST else "multiples",
        ylim=(lo - pad, hi + 2 * pad),
        words=tuple(sorted((k, labels[k]) for k in WORDS)),
        language=labels.language,
    )


def compare_charts(assessment: Assessment, labels: Labels) -> dict[str, CompareChart]:
    """The side-by-side chart of every metric reported for more than one scope, by path."""
    found = {}
    for mid, result in assessment.metrics.items():
        spec = compare_chart(result, labels)
        if spec is not None:
            found[path(mid)] = spec
    return found


def compare_alt(spec: CompareChart) -> str:
    """The chart's numbers: for each scope its lowest and highest value and its last month;
    the target where every scope has the same one."""
    words, lang = dict(spec.words), spec.language

    def value(v: float) -> str:
        return formats.with_unit(v, spec.decimals, spec.unit, lang, trim=True)

    span = formats.month_range(spec.months[0], spec.months[-1], lang) if spec.months else ""
    shared = {t for series in spec.targets for t in series if t is not None}
    bands = {b for series in spec.bands for b in series if b is not None}

    def band(pair: tuple[float, float]) -> str:
        low = formats.number(pair[0], spec.decimals, lang, trim=True)
        return f"{words['chart_band']} {low}–{value(pair[1])}"

    parts = []
    for (name, values), target, own_band in zip(spec.series, spec.targets, spec.bands, strict=True):
        known = [(i, v) for i, v in enumerate(values) if v is not None]
        if not known:
            continue
        low, high = min(v for _, v in known), max(v for _, v in known)
        last_at, last = known[-1]
        month = formats.month(spec.months[last_at], lang)
        text = f"{name}: {words['compare_range']} {value(low)}–{value(high)}, {month} {value(last)}"
        own = target[last_at]
        if len(shared) > 1 and own is not None:
            text += f", {words['chart_target']} {value(own)}"
        if len(bands) > 1 and own_band[last_at] is not None:
            text += f", {band(own_band[last_at])}"  # type: ignore[arg-type]
        parts.append(text)
    if len(shared) == 1:
        parts.append(f"{words['chart_target']} {value(shared.pop())}")
    if len(bands) == 1:
        parts.append(band(bands.pop()))
    head = f"{spec.title}, {span} ({words['compare_one_scale']})"
    return f"{head}: " + "; ".join(parts) + "."
