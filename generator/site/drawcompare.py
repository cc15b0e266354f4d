"""Drawing the side-by-side chart (`chartspec.CompareChart`): a split metric's scopes on one
y-axis, overlaid in one plot (each scope its own colour, marker and line style, so the chart
reads without colour) or as small multiples sharing one scale, the legend under the last plot.

Called by `draw` inside its chart style; the same rules hold as for every chart there
(deterministic, no layout engine: `chartlayout` places the plots, no text under
`chartlayout.SMALL_SIZE`). A change to the drawing here must bump `draw.CHART_STYLE_VERSION`,
which keys the chart cache.
"""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from generator.site import chartlayout
from generator.site.chartspec import CompareChart
from generator.site.ticks import NumberFormatter, month_axis

# Okabe-Ito colours (as `draw`), each with its own marker and dash: never colour alone.
SERIES_STYLE: tuple[tuple[str, str, Any], ...] = (
    ("#0072B2", "o", "-"),
    ("#E69F00", "s", (0, (5, 2))),
    ("#009E73", "^", (0, (1, 1.5))),
    ("#D55E00", "D", (0, (6, 2, 1, 2))),
    ("#CC79A7", "v", (0, (3, 1, 1, 1, 1, 1))),
)
TARGET_GREEN = "#009E73"
_TITLE_SIZE = 9.0


def _steps(values: tuple[Any, ...]) -> tuple[list[float], list[float]]:
    """A month-wide horizontal segment per value (NaN for None), joined into steps."""
    xs: list[float] = []
    ys: list[float] = []
    for x, v in enumerate(values):
        xs += [x - 0.5, x + 0.5]
        ys += [float("nan") if v is None else float(v)] * 2
    return xs, ys


def _target(ax: Axes, spec: CompareChart, k: int, keys: dict[str, Any]) -> None:
    """Series k's target (dashed steps) or band (shaded), named in the legend once when every
    series has the same one or each has its own plot; else per series, in its colour."""
    words = dict(spec.words)
    alone = spec.layout != "overlay"
    common_target = alone or len({t for s in spec.targets for t in s if t is not None}) <= 1
    common_band = alone or len({b for s in spec.bands for b in s if b is not None}) <= 1
    colour = SERIES_STYLE[k % len(SERIES_STYLE)][0]
    name = spec.series[k][0]
    if any(spec.bands[k]):
        xs, lows = _steps(tuple(b[0] if b else None for b in spec.bands[k]))
        _, highs = _steps(tuple(b[1] if b else None for b in spec.bands[k]))
        shade = TARGET_GREEN if common_band else colour
        ax.fill_between(xs, lows, highs, color=shade, alpha=0.12, lw=0)
        label = words["chart_band"] if common_band else f"{words['chart_band']}: {name}"
        keys[label] = Patch(fc=shade + "1F", ec=shade, ls="--")
    if any(t is not None for t in spec.targets[k]):
        xs, ys = _steps(spec.targets[k])
        line = "black" if common_target else colour
        chartlayout.line(ax, xs, ys, color=line, ls="--", lw=1.2, zorder=2)
        label = words["chart_target"] if common_target else f"{words['chart_target']}: {name}"
        keys[label] = Line2D([], [], color=line, ls="--", lw=1.2)


def _series(ax: Axes, k: int, values: tuple[float | None, ...]) -> Line2D:
    colour, marker, dash = SERIES_STYLE[k % len(SERIES_STYLE)]
    xs = [x for x, v in enumerate(values) if v is not None]
    ys = [v for v in values if v is not None]
    style: dict[str, Any] = {"color": colour, "marker": marker, "ms": 5, "ls": dash, "lw": 1.6}
    chartlayout.line(ax, xs, ys, zorder=3, **style)
    return Line2D([], [], **style)


def draw_compare(spec: CompareChart) -> Figure:
    """The chart of `spec`: one plot (overlay) or one per scope (small multiples), every
    plot on `spec.ylim`."""
    fig = chartlayout.figure(spec.title)
    keys: dict[str, Any] = {}
    axes: list[Axes] = []
    above: list[float] = []
    overlay = spec.layout == "overlay"
    for k, (name, values) in enumerate(spec.series):
        if overlay and axes:
            ax = axes[0]
        else:
            axes.append(ax := chartlayout.plot(fig))
            above.append(0.0 if overlay else chartlayout.title_room(name, _TITLE_SIZE))
            if not overlay:
                ax.set_title(name, fontsize=_TITLE_SIZE, loc="left", y=1.0)
        _target(ax, spec, k, keys)
        handle = _series(ax, k, values)
        if overlay:
            keys[name] = handle
    if not axes:
        axes.append(chartlayout.plot(fig))
        above.append(0.0)
    for ax in axes:
        ax.set_ylim(*spec.ylim)
        ax.set_ylabel(spec.unit)
        ax.yaxis.set_major_formatter(NumberFormatter(spec.language))
        month_axis(ax, spec.months, spec.language, labels=ax is axes[-1])
    height = 210.0 if overlay else 110.0  # points, each plot
    chartlayout.arrange(
        fig,
        [
            chartlayout.Panel(ax, height, ax is axes[-1], up)
            for ax, up in zip(axes, above, strict=True)
        ],
        [(axes[-1], list(keys.values()), list(keys))],
    )
    return fig
