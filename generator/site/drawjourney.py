"""Drawing the journey chart (`chartspec.JourneyChart`): requirement status at every month as
stacked bars, one plot for all requirements and one per category, the legend under the last.

Called by `draw` inside its chart style, with its status colours and hatches (passed in:
this module cannot import `draw`, which imports it); the same rules hold as for every chart
there (deterministic, no layout engine: `chartlayout` places the plots). A change to the
drawing here must bump `draw.CHART_STYLE_VERSION`, which keys the chart cache.
"""

from __future__ import annotations

from collections.abc import Mapping

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from generator.assess.states import REQUIREMENT_STATUSES
from generator.site import chartlayout
from generator.site.chartspec import JourneyChart
from generator.site.ticks import NumberFormatter, month_axis

_TITLE_SIZE = 9.0


def _stack(
    ax: Axes, rows: tuple[tuple[int, ...], ...], styles: Mapping[str, tuple[str, str]]
) -> list[Patch]:
    """One bar per month, a segment per status from the bottom (met first); the handles."""
    x = list(range(len(rows)))
    bottom = [0] * len(rows)
    handles = []
    for j, code in enumerate(REQUIREMENT_STATUSES):
        colour, hatch = styles[code]
        heights = [row[j] for row in rows]
        ax.bar(x, heights, width=0.9, bottom=bottom, color=colour, hatch=hatch, ec="black", lw=0.4)
        handles.append(Patch(fc=colour, hatch=hatch, ec="black", lw=0.6))
        bottom = [a + b for a, b in zip(bottom, heights, strict=True)]
    ax.set_ylim(0, max([*bottom, 1]) * 1.04)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    return handles


def draw_journey(spec: JourneyChart, styles: Mapping[str, tuple[str, str]]) -> Figure:
    """The chart of `spec`, `styles` giving each status its colour and hatch."""
    fig = chartlayout.figure(spec.title)
    words = dict(spec.words)
    axes: list[Axes] = []
    handles: list[Patch] = []
    for name, rows in spec.panels:
        axes.append(ax := chartlayout.plot(fig))
        handles = _stack(ax, rows, styles)
        ax.set_title(name, fontsize=_TITLE_SIZE, loc="left", y=1.0)
        ax.yaxis.set_major_formatter(NumberFormatter(spec.language))
    for ax in axes:
        month_axis(ax, spec.months, spec.language, labels=ax is axes[-1])
    axes[0].set_ylabel(words["count"])
    panels = [
        chartlayout.Panel(
            ax,
            150.0 if ax is axes[0] else 80.0,  # points: all requirements, then each category
            ax is axes[-1],
            chartlayout.title_room(name, _TITLE_SIZE),
        )
        for ax, (name, _) in zip(axes, spec.panels, strict=True)
    ]
    chartlayout.arrange(fig, panels, [(axes[-1], handles, list(spec.statuses))])
    return fig
