"""Axis ticks in the portfolio's language: month ticks that never collide, and tick numbers
with the language's decimal sign.

The month ticks are chosen from the number of months alone (no layout pass): at most
`MAX_MONTH_TICKS` labels, each short (a month abbreviation, the year on a second line only
where it changes), so they fit the narrowest plot a chart gets. `draw` uses both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.axis import Axis, Tick, XAxis, YAxis
from matplotlib.lines import Line2D
from matplotlib.markers import TICKDOWN, TICKLEFT
from matplotlib.ticker import FixedFormatter, FixedLocator, Formatter, NullLocator

from generator.site import formats

#: Labelled month ticks on one axis at most; a plot is at least ~440 pt wide (the chart's
#: width less its y tick labels: legends sit under the plots) and a label (`sept`, `2024`)
#: at most ~25 pt, so twelve leave room between every pair.
MAX_MONTH_TICKS = 12
_STEPS = (1, 3, 6, 12, 24, 60, 120)  # months between labelled ticks


def _on_step(period: str, step: int) -> bool:
    year, month = int(period[:4]), int(period[5:7])
    if step < 12:
        return (month - 1) % step == 0
    return month == 1 and year % (step // 12) == 0


def month_ticks(months: Sequence[str], language: str) -> list[tuple[int, str]]:
    """The labelled ticks of consecutive months (`YYYY-MM`): (index into `months`, label).

    The step is the smallest of 1, 3, 6, 12 ... months that gives at most `MAX_MONTH_TICKS`
    labels, placed on months the step divides (quarters start in January, April, July and
    October). A label is the month's abbreviation (`Oct`, `okt`, `oct`) with the year on a
    second line at the first tick and wherever the year changes; yearly steps show the year.
    """
    for step in _STEPS:
        chosen = [i for i, m in enumerate(months) if _on_step(m, step)]
        if len(chosen) <= MAX_MONTH_TICKS:
            break
    ticks: list[tuple[int, str]] = []
    year = ""
    for i in chosen:
        period = months[i]
        if step >= 12:
            label = period[:4]
        else:
            name = formats.month_name(period, language)
            label = name if period[:4] == year else f"{name}\n{period[:4]}"
        year = period[:4]
        ticks.append((i, label))
    return ticks


def _marks(ax: Axes, at: Sequence[float], *, major: bool, axis: str = "x") -> None:
    """Tick marks at `at` under the plot (`axis` "x") or left of it ("y"), as matplotlib
    draws major or minor ticks, but as one line of markers: a matplotlib tick is five
    artists of its own."""
    if not at:
        return
    rc: Any = mpl.rcParams  # read with keys built at run time
    kind = "major" if major else "minor"
    size, width = rc[f"{axis}tick.{kind}.size"], rc[f"{axis}tick.{kind}.width"]
    zeros = [0.0] * len(at)
    xs, ys = (at, zeros) if axis == "x" else (zeros, at)
    marker: Any = TICKDOWN if axis == "x" else TICKLEFT
    marks = Line2D(
        xs,
        ys,
        transform=ax.get_xaxis_transform() if axis == "x" else ax.get_yaxis_transform(),
        ls="none",
        marker=marker,
        ms=size,
        mew=width,
        color=rc[f"{axis}tick.color"],
        clip_on=False,
        zorder=1.5,  # where matplotlib draws an axis (axes.axisbelow: "line")
    )
    ax.add_artist(marks)  # as `chartlayout.line`: no data limits, the plot has its own


class _NoTicksYet:
    """An axis's tick list that starts empty: matplotlib's starts with one tick it builds
    at once (five artists, for its `tick_params` to reach), four per plot. Ticks asked for
    later are built as matplotlib builds them, with every parameter set before."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, axis: Axis | None, owner: type) -> Any:
        if axis is None:
            return self
        ticks: list[Tick] = []
        setattr(axis, self.name, ticks)  # as matplotlib's own list: on the axis, till reset
        return ticks


class _XAxis(XAxis):
    majorTicks = _NoTicksYet("majorTicks")
    minorTicks = _NoTicksYet("minorTicks")


class _YAxis(YAxis):
    majorTicks = _NoTicksYet("majorTicks")
    minorTicks = _NoTicksYet("minorTicks")


class Plot(Axes):
    """Matplotlib's `Axes` whose axes build no tick before one is drawn (`_NoTicksYet`):
    the charts draw theirs as plain artists (`as_artists`). Half the time a plot takes to
    make (tests/test_charts.py checks the charts against plain `Axes`)."""

    def clear(self) -> None:
        """As matplotlib's, then each spine put where it belongs: a spine cleared waits in
        data coordinates till its position is asked for, which building a tick does."""
        super().clear()
        for spine in self.spines.values():
            spine.get_position()

    def _init_axis(self) -> None:
        # as Axes._init_axis, which matplotlib's projections override alike
        self.xaxis = _XAxis(self, clear=False)
        self.spines.bottom.register_axis(self.xaxis)
        self.spines.top.register_axis(self.xaxis)
        self.yaxis = _YAxis(self, clear=False)
        self.spines.left.register_axis(self.yaxis)
        self.spines.right.register_axis(self.yaxis)


def in_view(axis: Axis) -> list[tuple[float, str]]:
    """The major ticks `axis` would draw, as (location, label): its locator and formatter
    as matplotlib runs them at draw time (the formatter sees every location), kept to the
    view interval."""
    locs = list(axis.get_majorticklocs())
    labels = axis.get_major_formatter().format_ticks(locs)
    lo, hi = sorted(axis.get_view_interval())
    close = (hi - lo) * 1e-10  # as matplotlib's own check
    return [(v, t) for v, t in zip(locs, labels, strict=True) if lo - close <= v <= hi + close]


def as_artists(ax: Axes) -> dict[str, list[str]]:
    """Draw the major ticks of both axes of `ax` as plain artists and switch matplotlib's
    own off: per axis one line of marks (`_marks`) and a text per label, placed, aligned and
    styled as matplotlib places its tick labels, labelled "xtick" or "ytick".

    A matplotlib tick is five artists built for each chart (a quarter of its drawing time)
    and measured again at every draw. Call this once the plot has its final size: locators
    that count the room they have (`MaxNLocator`'s "auto") see it. The axis labels are not
    placed here: matplotlib places them from the tick labels it draws, so `chartlayout`
    places them from the texts it measured. Returns the labels drawn on each axis."""
    rc: Any = mpl.rcParams  # read with keys built at run time
    drawn: dict[str, list[str]] = {}
    for axis, name in ((ax.xaxis, "x"), (ax.yaxis, "y")):
        shown = in_view(axis)
        axis.set_major_locator(NullLocator())
        _marks(ax, [v for v, _ in shown], major=True, axis=name)
        pad = rc[f"{name}tick.major.size"] + rc[f"{name}tick.major.pad"]
        if name == "x":
            transform, va, ha = ax.get_xaxis_text1_transform(pad)
        else:
            transform, va, ha = ax.get_yaxis_text1_transform(pad)
        colour = rc[f"{name}tick.labelcolor"]
        style = {
            "transform": transform,
            "va": va,
            "ha": ha,
            "fontsize": rc[f"{name}tick.labelsize"],
            "color": rc[f"{name}tick.color"] if colour == "inherit" else colour,
            "label": f"{name}tick",
        }
        drawn[name] = [text for _, text in shown if text]
        for v, text in shown:
            if text:
                ax.text(v if name == "x" else 0.0, 0.0 if name == "x" else v, text, **style)
    return drawn


def month_axis(ax: Axes, months: Sequence[str], language: str, *, labels: bool = True) -> None:
    """An x axis of consecutive months at 0, 1, 2 ...: `month_ticks` labelled, every month a
    short mark, half a month of room at either end. Without `labels` (a plot above another)
    the ticks are marks alike and the axis has no ticks of its own. The labelled ticks are
    set as a locator and formatter (no tick is built: `as_artists` draws them)."""
    major = month_ticks(months, language)
    ax.set_xlim(-0.7, max(len(months), 1) - 0.3)
    if labels:
        ax.xaxis.set_major_locator(FixedLocator([i for i, _ in major]))
        ax.xaxis.set_major_formatter(FixedFormatter([label for _, label in major]))
    else:
        ax.xaxis.set_major_locator(NullLocator())
        _marks(ax, [i for i, _ in major], major=True)
    _marks(ax, range(len(months)), major=False)


def day_axis(ax: Axes, start: dt.date, end: dt.date, language: str) -> None:
    """An x axis of days since `start` up to `end`: `month_ticks` labelled at the first of
    each month, from the month `start` falls in."""
    months = [dt.date(start.year, start.month, 1)]
    while months[-1] < end:
        year, month = divmod(months[-1].month, 12)
        months.append(dt.date(months[-1].year + year, month + 1, 1))
    if months[-1] > end:
        months.pop()
    major = month_ticks([f"{m:%Y-%m}" for m in months], language)
    ax.xaxis.set_major_locator(FixedLocator([(months[i] - start).days for i, _ in major]))
    ax.xaxis.set_major_formatter(FixedFormatter([label for _, label in major]))
    ax.set_xlim((months[0] - start).days - 2, (end - start).days)


def places_for(values: Sequence[float], most: int = 6) -> int:
    """The fewest decimal places (at most `most`) that tell all tick values apart exactly:
    0 for 90, 92, 94; 1 for 92.5, 93.0; 2 for 0.25, 0.50."""
    for places in range(most + 1):
        if all(abs(round(v, places) - v) <= 1e-9 * max(1.0, abs(v)) for v in values):
            return places
    return most


class NumberFormatter(Formatter):
    """Tick numbers through `formats.number`: the language's decimal sign and grouping, with
    the places the current ticks need (the same places on every tick of the axis)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.places = 0

    def set_locs(self, locs: list[float]) -> None:
        super().set_locs(locs)
        self.places = places_for(locs)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return formats.number(x, self.places, self.language)
