"""Drawing chart specs: deterministic SVG (and PNG) bytes, cached, in parallel processes.

Drawing uses the object-oriented `Figure` API only (the state-machine interface keeps global
state and is not thread-safe) inside a fixed `rc_context`, with a fixed hash
salt, no date or creator metadata and text kept as text, so one spec gives the same bytes in any
process (tests/test_charts.py checks it across hash seeds). Numbers, months and dates are
written in the spec's language (`formats`, `ticks`); month tick labels never collide
(tests/test_ticks.py measures them). A chart is drawn once, with no layout engine:
`chartlayout` places the plots, draws the legends from measured text and the ticks as plain
artists (`ticks.as_artists`: the pixels matplotlib's own ticks give), and `svgcanvas` keeps
text measures from chart to chart (the bytes matplotlib's own canvas writes): both checked
by tests/test_charts.py; benchmarks/bench_charts.py times a chart. Charts are drawn for
the page's content column: no text smaller than `chartlayout.SMALL_SIZE` (11 CSS px or more
where it is shown), legends in columns under the plots, and a metric's annotations numbered
over the plot and listed whole under it, wrapped (tests/test_chart_legibility.py).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import matplotlib.style
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, NullLocator
from matplotlib.transforms import offset_copy

from generator.assess.states import (
    METRIC_STATUSES,
    REQUIREMENT_STATUSES,
    MetricState,
    RequirementState,
)
from generator.site import chartlayout, formats
from generator.site.charts import when, word_of
from generator.site.chartspec import (
    ChartSpec,
    CompareChart,
    FindingsChart,
    JourneyChart,
    MetricChart,
    OverviewChart,
    PanelSpec,
)
from generator.site.drawcompare import draw_compare
from generator.site.drawjourney import draw_journey
from generator.site.svgcanvas import CanvasSVG
from generator.site.ticks import NumberFormatter, day_axis, month_axis

#: Bump whenever the drawing code or the spec layout changes: it is part of every cache key.
CHART_STYLE_VERSION = "6"

# Okabe-Ito, a colour-blind-safe palette; every element also differs by line style or marker.
BLUE, ORANGE, SKY, GREEN = "#0072B2", "#E69F00", "#56B4E9", "#009E73"
YELLOW, VERMILLION, PURPLE, GREY = "#F0E442", "#D55E00", "#CC79A7", "#666666"
STATUS_STYLE: dict[str, tuple[str, str]] = {  # colour, hatch
    RequirementState.MET: (GREEN, ""),  # also MetricState.MET: the same value
    RequirementState.PARTLY_MET: (YELLOW, "//"),
    MetricState.IMPROVING: (SKY, "//"),
    RequirementState.NOT_MET: (VERMILLION, "xx"),
    RequirementState.NO_EVIDENCE: ("#BBBBBB", ".."),
    MetricState.NO_DATA: ("#BBBBBB", ".."),
}
RC_PARAMS: Any = {
    "svg.hashsalt": "certfolio-charts",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": [chartlayout.FONT],
    "font.size": 9,
    "text.parse_math": False,  # user text with "$" stays literal
    "text.usetex": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.8,
}
# A plot's title, top left; given its y, it stays there (else matplotlib measures the y axis
# at every draw to see whether tick labels on top push it up: ours are at the bottom).
_TITLE: Any = {"loc": "left", "y": 1.0}
SMALL = chartlayout.SMALL_SIZE  # n labels, annotation numbers, counts on bars


def _steps(x: tuple[int, ...], values: list[float | None]) -> tuple[list[float], list[float]]:
    """A month-wide horizontal segment per value (NaN for None), joined into steps."""
    xs: list[float] = []
    ys: list[float] = []
    for xi, v in zip(x, values, strict=True):
        xs += [xi - 0.5, xi + 0.5]
        ys += [float("nan") if v is None else v] * 2
    return xs, ys


def _draw_panel(ax: Axes, spec: MetricChart, panel: PanelSpec, keys: dict[str, Any]) -> None:
    """One scope: band or stepped target, per-phase limits, values, signals, low n."""
    w = dict(spec.words)
    top = ax.get_xaxis_transform()  # x in data, y in axes coordinates
    ys: list[float] = list(panel.values)
    if any(panel.band):
        xs, lows = _steps(panel.x, [b[0] if b else None for b in panel.band])
        _, highs = _steps(panel.x, [b[1] if b else None for b in panel.band])
        ax.fill_between(xs, lows, highs, color=GREEN, alpha=0.15, lw=0)
        for edge in (lows, highs):
            chartlayout.line(ax, xs, edge, color=GREEN, ls="--", lw=1.3)
        keys[w["chart_band"]] = Patch(fc=GREEN + "26", ec=GREEN, ls="--")
        ys += [b for pair in panel.band if pair for b in pair]
    if any(t is not None for t in panel.target):
        xs, target = _steps(panel.x, list(panel.target))
        chartlayout.line(ax, xs, target, color="black", ls="--", lw=1.3)
        keys[w["chart_target"]] = Line2D([], [], color="black", ls="--")
        ys += [t for t in panel.target if t is not None]
    centres: list[tuple[float, float, float]] = []  # y, from x, to x: one collection each
    limits: list[tuple[float, float, float]] = []
    for phase in panel.phases:
        if phase.start > 0:
            chartlayout.line(ax, [phase.start - 0.5] * 2, [0, 1], transform=top, color=GREY, lw=0.8)
        ax.text(phase.start - 0.4, 0.98, phase.label, transform=top, va="top", color=GREY)
        if phase.centre is None or phase.lower is None or phase.upper is None:
            continue
        a, b = phase.start - 0.4, phase.end + 0.4
        centres.append((phase.centre, a, b))
        limits += [(phase.lower, a, b), (phase.upper, a, b)]
        ys += [phase.lower, phase.upper]
    if centres:
        chartlayout.hlines(ax, centres, colors=GREY, linestyles="-.", lw=1.1)
        chartlayout.hlines(ax, limits, colors="#333333", linestyles=":", lw=1.5)
        keys[w["chart_centre"]] = Line2D([], [], color=GREY, ls="-.")
        keys[w["chart_limits"]] = Line2D([], [], color="#333333", ls=":", lw=1.5)
    for i, (label, value, date) in enumerate(spec.comparators):
        if i not in panel.comparators:
            continue
        dash = ((0, (1, 3)), (0, (1, 1)), (0, (3, 1, 1, 1, 1, 1)))[i % 3]
        across = ax.get_yaxis_transform()  # x in axes, y in data coordinates
        chartlayout.line(ax, [0, 1], [value] * 2, transform=across, color=ORANGE, ls=dash, lw=1.6)
        shown = formats.with_unit(value, spec.decimals, spec.unit, spec.language, trim=True)
        text = f"{w['chart_comparator']}: {label} {shown} ({when(date, spec.language)})"
        keys[text] = Line2D([], [], color=ORANGE, ls=dash, lw=1.6)
        ys.append(value)
    if panel.trend is not None:
        x0, x1, y0, y1, p = panel.trend
        chartlayout.line(ax, [x0, x1], [y0, y1], color=GREY, ls=(0, (6, 2)), lw=1.2, zorder=2)
        name = f"{w['chart_trend']} ({formats.p_value(p, spec.language)})"
        keys[name] = Line2D([], [], color=GREY, ls=(0, (6, 2)), lw=1.2)
    if panel.missing:
        cross: dict[str, Any] = {"marker": "x", "ms": 7, "mew": 1.6, "color": VERMILLION}
        foot = [0.03] * len(panel.missing)  # just over the x axis
        chartlayout.line(ax, panel.missing, foot, transform=top, ls="none", **cross)
        keys[w["chart_no_data"]] = Line2D([], [], ls="none", **cross)
    chartlayout.line(ax, panel.x, panel.values, color=BLUE, lw=1.6, zorder=3)
    missed = set(panel.missed)
    for hollow, key in ((False, "chart_value"), (True, "chart_missed")):
        pts = [
            (x, v) for x, v in zip(panel.x, panel.values, strict=True) if (x in missed) == hollow
        ]
        dot: dict[str, Any] = {"marker": "o", "ms": 5.5, "mec": BLUE}
        dot["mfc"] = "white" if hollow else BLUE
        if pts:
            px, py = [x for x, _ in pts], [v for _, v in pts]
            chartlayout.line(ax, px, py, ls="none", zorder=4, **dot)
            keys[w[key]] = Line2D([], [], color=BLUE, ls="none" if hollow else "-", **dot)
    where = dict(zip(panel.x, panel.values, strict=True))
    for signal in panel.signals:
        beyond = signal.rule == "beyond-limits"
        mark: dict[str, Any] = {"marker": "D" if beyond else "s", "ms": 11 if beyond else 13}
        mark |= {"mfc": "none", "mec": VERMILLION if beyond else PURPLE, "mew": 1.5}
        on = [where[x] for x in signal.points]
        chartlayout.line(ax, signal.points, on, ls="none", zorder=5, **mark)
        label = f"{w['chart_signal']}: {w['w:' + signal.rule]}"
        keys[label] = Line2D([], [], ls="none", **mark)
    if panel.low_n:  # one errorbar for all: each call makes a collection and its caps
        few = panel.low_n
        bars = [[lo.value - lo.low for lo in few], [lo.high - lo.value for lo in few]]
        at = ([lo.x for lo in few], [lo.value for lo in few])
        ax.errorbar(*at, yerr=bars, fmt="none", ecolor="black", capsize=4)
        keys[w["chart_low_n"]] = Line2D([], [], color="k", marker="|", ms=12, mew=1.5, ls="none")
    above = offset_copy(ax.transData, ax.get_figure(root=True), y=3, units="points")
    for low in panel.low_n:
        n = f"n={formats.number(low.n, 0, spec.language)}"
        ax.text(low.x, low.high, n, transform=above, ha="center", va="baseline", fontsize=SMALL)
        ys += [low.low, low.high]
    if ys:
        lo, hi = min(ys), max(ys)
        pad = (hi - lo) * 0.06 or 1.0
        ax.set_ylim(lo - pad, hi + 3 * pad)
    else:
        ax.text(0.5, 0.5, w["status"] + ": " + panel.status, transform=ax.transAxes, ha="center")
    ax.set_ylabel(spec.unit)
    ax.yaxis.set_major_formatter(NumberFormatter(spec.language))


def _draw_metric(spec: MetricChart) -> Figure:
    """One plot per scope, the legend under the last, the annotations' numbers over the first
    (one box per month) and the annotations listed in full under everything."""
    fig = chartlayout.figure(spec.title)
    axes: list[Axes] = []
    keys: dict[str, Any] = {}
    above: list[float] = []
    titled = len(spec.panels) > 1
    for panel in spec.panels:
        axes.append(ax := chartlayout.plot(fig))
        _draw_panel(ax, spec, panel, keys)
        if titled:
            ax.set_title(panel.scope, fontsize=9, **_TITLE)
        above.append(chartlayout.title_room(panel.scope, 9) if titled else 0.0)
    if not axes:
        axes.append(chartlayout.plot(fig))
        above.append(0.0)
    for ax in axes:
        month_axis(ax, spec.months, spec.language, labels=ax is axes[-1])
    by_month: dict[int, list[str]] = {}
    for note in spec.notes:
        by_month.setdefault(note.x, []).append(str(note.number))
    for x, numbers in sorted(by_month.items()):
        axes[0].annotate(
            ",".join(numbers),
            (x, 1.0),
            xycoords=axes[0].get_xaxis_transform(),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=SMALL,
            annotation_clip=False,
            bbox=chartlayout.NOTE_BOX,
        )
    if by_month:  # the numbers' boxes: 4 pt up, the text, its pad either side, a line
        box = chartlayout.text_size("1", SMALL)[1] + 2 * chartlayout.NOTE_PAD * SMALL
        above[0] = max(above[0], 4 + box + chartlayout.NOTE_BOX["lw"])
    lang = spec.language
    notes = [
        (str(n.number), f"{formats.month(spec.months[n.x], lang)}, {n.kind}: {n.text}")
        for n in spec.notes
    ]
    height = 190.0 if len(axes) == 1 else 150.0  # points, each plot
    chartlayout.arrange(
        fig,
        [
            chartlayout.Panel(ax, height, ax is axes[-1], up)
            for ax, up in zip(axes, above, strict=True)
        ],
        [(axes[-1], list(keys.values()), list(keys))],
        notes=notes,
    )
    return fig


def _bars(
    ax: Axes,
    rows: list[str],
    codes: tuple[str, ...],
    counts: list[tuple[int, ...]],
    language: str,
) -> list[Patch]:
    """Horizontal stacked bars, one colour and hatch per status, counts written inside;
    returns the legend's handles."""
    left = [0] * len(rows)
    handles = []
    for j, code in enumerate(codes):
        colour, hatch = STATUS_STYLE[code]
        widths = [c[j] for c in counts]
        ax.barh(rows, widths, left=left, color=colour, hatch=hatch, ec="black", lw=0.6)
        handles.append(Patch(fc=colour, hatch=hatch, ec="black", lw=0.6))
        for y, (x0, width) in enumerate(zip(left, widths, strict=True)):
            if width:
                ax.text(
                    x0 + width / 2,
                    y,
                    formats.number(width, 0, language),
                    ha="center",
                    va="center",
                    fontsize=SMALL,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "lw": 0},
                )
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.invert_yaxis()
    ax.set_xlim(0, max([*left, 1]) * 1.02)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts
    ax.xaxis.set_major_formatter(NumberFormatter(language))
    return handles


def _draw_overview(spec: OverviewChart) -> Figure:
    rows = max(len(spec.categories), 1)
    fig = chartlayout.figure(spec.title)
    top, bottom = chartlayout.plot(fig), chartlayout.plot(fig)
    titles = [word_of(spec, k) for k in ("chart_requirements", "chart_metrics")]
    categories = [c for c, _ in spec.categories]
    counts = [n for _, n in spec.categories]
    keys = _bars(top, categories, REQUIREMENT_STATUSES, counts, spec.language)
    metric_keys = _bars(bottom, titles[1:], METRIC_STATUSES, [spec.metrics], spec.language)
    bottom.yaxis.set_major_locator(NullLocator())
    bottom.set_xlabel(word_of(spec, "count"))
    for ax, title in zip((top, bottom), titles, strict=True):
        ax.set_title(title, fontsize=10, **_TITLE)
    room = [chartlayout.title_room(title, 10) for title in titles]
    chartlayout.arrange(
        fig,
        [
            chartlayout.Panel(top, 24.0 * rows + 12, above=room[0]),
            chartlayout.Panel(bottom, 40.0, above=room[1]),
        ],
        [(top, keys, spec.statuses), (bottom, metric_keys, spec.metric_statuses)],
    )
    return fig


def _draw_findings(spec: FindingsChart) -> Figure:
    start, as_of = dt.date.fromisoformat(spec.start), dt.date.fromisoformat(spec.as_of)
    dues = sorted({dt.date.fromisoformat(d) for d, _ in spec.due})
    end = max([as_of, *dues]) + dt.timedelta(days=12)

    def day(value: dt.date | str) -> int:
        date = dt.date.fromisoformat(value) if isinstance(value, str) else value
        return (date - start).days

    def level(steps: tuple[tuple[str, int], ...], at: int) -> int:
        return max([n for d, n in steps if day(d) <= at], default=0)

    grid = sorted({-1, 0, day(as_of), *(day(d) for d, _ in spec.raised + spec.closed)})
    raised = [level(spec.raised, x) for x in grid]
    closed = [level(spec.closed, x) for x in grid]
    fig = chartlayout.figure(spec.title)
    ax = chartlayout.plot(fig)
    ax.fill_between(grid, closed, raised, step="post", fc="none", ec=ORANGE, hatch="//", lw=0)
    ax.step(grid, raised, where="post", color=BLUE, lw=1.8)
    ax.step(grid, closed, where="post", color=GREEN, lw=1.8, ls="--")
    ax.axvline(day(as_of), color=GREY, ls=":", lw=1.2)
    ax.annotate(
        f"{word_of(spec, 'as_of')} {formats.date(as_of, spec.language)}",
        (day(as_of), 1.0),
        xycoords=ax.get_xaxis_transform(),
        xytext=(-4, -2),
        textcoords="offset points",
        va="top",
        ha="right",
        fontsize=SMALL,
        color=GREY,
    )
    for due in dues:
        ids = [fid for d, fid in spec.due if d == due.isoformat()]
        ax.plot(
            [day(due)], [0], marker="v", ms=9, color=VERMILLION, ls="none", clip_on=False, zorder=5
        )
        ax.axvline(day(due), color=VERMILLION, ls=(0, (2, 3)), lw=0.8)
        ax.annotate(
            "\n".join(ids),
            (day(due), 0),
            xytext=(-6, 6),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize=SMALL,
            color=VERMILLION,
        )
    day_axis(ax, start, end, spec.language)
    ax.set_ylim(0, max([*raised, 1]) + 1)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(NumberFormatter(spec.language))
    ax.set_ylabel(word_of(spec, "count"))
    handles = [
        Line2D([], [], color=BLUE, lw=1.8),
        Line2D([], [], color=GREEN, lw=1.8, ls="--"),
        Patch(fc="none", ec=ORANGE, hatch="//"),
        Line2D([], [], color=VERMILLION, marker="v", ls="none", ms=8),
    ]
    names = ["raised", "chart_findings_closed", "chart_findings_open", "due"]
    lines = [word_of(spec, k) for k in names]
    chartlayout.arrange(fig, [chartlayout.Panel(ax, 200.0)], [(ax, handles, lines)])
    return fig


@contextmanager
def _style() -> Iterator[None]:
    """Matplotlib's defaults plus ours, whatever matplotlibrc or the caller set."""
    with mpl.style.context("default"), mpl.rc_context(RC_PARAMS):
        yield


def _draw(spec: ChartSpec) -> Figure:
    if isinstance(spec, MetricChart):
        return _draw_metric(spec)
    if isinstance(spec, OverviewChart):
        return _draw_overview(spec)
    if isinstance(spec, JourneyChart):
        return draw_journey(spec, STATUS_STYLE)
    if isinstance(spec, CompareChart):  # a split metric's scopes on one scale
        return draw_compare(spec)
    return _draw_findings(spec)


@contextmanager
def drawn(spec: ChartSpec) -> Iterator[Figure]:
    """The chart drawn and laid out on an Agg canvas, in the chart style, for measuring its
    parts (tests check that no two tick labels collide)."""
    with _style():
        fig = _draw(spec)
        FigureCanvasAgg(fig)
        fig.draw_without_rendering()
        yield fig


def render_svg(spec: ChartSpec) -> bytes:
    """The chart as SVG bytes: text kept as (escaped) text, a <title>, no date or version
    metadata, stable ids; equal specs give equal bytes in any process."""
    with _style():
        fig = _draw(spec)
        CanvasSVG(fig)
        out = io.BytesIO()
        meta = {"Title": spec.title, "Date": None, "Creator": None}
        fig.savefig(out, format="svg", metadata=meta)
    return out.getvalue()


def render_png(spec: ChartSpec) -> bytes:
    """The chart as PNG bytes (Agg, fixed dpi, no Software metadata), for previews."""
    with _style():
        fig = _draw(spec)
        FigureCanvasAgg(fig)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=chartlayout.PNG_DPI, metadata={"Software": None})
    return out.getvalue()
