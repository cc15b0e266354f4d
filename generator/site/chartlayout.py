"""Chart layout without a layout engine: the plots of a chart placed in one column from the
measured size of the few texts around them, so a chart is drawn once.

Matplotlib's constrained layout measures every artist of the figure in an extra full draw
before the real one: more than half of a chart's drawing time. Here `arrange` measures only
what sits outside the plots (tick labels in view, axis labels, titles, legend entries), each
string once per process (`text_size`, cached) as matplotlib lays it out on the SVG and the
Agg renderer, and sets every plot's position; `legend` draws a legend as plain artists.
Everything is in points (1/72 inch), so the layout does not depend on the dpi a chart is
saved at, and it is a function of the chart's texts alone: deterministic.
"""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from matplotlib.textpath import TextToPath
from matplotlib.transforms import Affine2D

FONT = "DejaVu Sans"  # the charts' only font (draw.RC_PARAMS)
WIDTH = 9.0  # inches, every chart
TITLE_SIZE = 11.0  # the chart's title, bold, top left (`figure`)
PNG_DPI = 100  # previews (draw.render_png): text measured for them too
LEGEND_SIZE = 8.0  # points
NOTE_SIZE, NOTE_LINE = 7.5, 0.17 * 72  # notes under the plots: points, points apart
PAD = 4.0  # points kept free around the figure's edge and between neighbouring parts
_TEXT = TextToPath()
_PROBING = threading.Lock()


@functools.cache
def _probes() -> tuple[tuple[Text, RendererBase, float], ...]:
    """A text to measure with on each renderer a chart meets: the SVG backend's (at 72 dpi,
    unhinted glyphs) and Agg's at `PNG_DPI` (hinted, a little wider)."""
    found = []
    svg = RendererSVG(1, 1, io.StringIO())  # type: ignore[no-untyped-call]
    agg = RendererAgg(1, 1, PNG_DPI)  # type: ignore[no-untyped-call]
    for dpi, renderer in ((72, svg), (PNG_DPI, agg)):
        found.append((Figure(dpi=dpi).text(0, 0, "", family=FONT), renderer, float(dpi)))
    return tuple(found)


@functools.lru_cache(maxsize=8192)
def text_size(text: str, size: float, weight: str = "normal") -> tuple[float, float]:
    """Width and height in points of `text` (lines split at newlines) in the chart font as
    matplotlib lays it out, the larger of the two renderers' (`_probes`). Called in the chart
    style (`draw`), whose rc settings (hinting) the measures depend on, as drawing is."""
    width = height = 0.0
    with _PROBING:
        for probe, renderer, dpi in _probes():
            probe.set(text=text, fontsize=size, fontweight=weight)
            box = probe.get_window_extent(renderer)
            width = max(width, box.width * 72 / dpi)
            height = max(height, box.height * 72 / dpi)
    return float(width), float(height)


def _lp(size: float) -> tuple[float, float]:
    """Height and descent in points of "lp" at `size`: where a legend puts the baseline."""
    font = FontProperties(family=FONT, size=size)
    _, height, descent = _TEXT.get_text_width_height_descent("lp", font, ismath=False)
    return float(height), float(descent)


def figure(title: str, height: float) -> Figure:
    """A chart's figure, `WIDTH` wide and `height` inches high, with no layout engine (the
    plots are placed by `arrange`), its title at the top left, `PAD` from the edge."""
    fig = Figure(figsize=(WIDTH, height), dpi=PNG_DPI)
    top = 1 - PAD / (height * 72)
    fig.suptitle(title, x=0.01, y=top, ha="left", va="top", fontsize=TITLE_SIZE, weight="bold")
    return fig


def plot(fig: Figure) -> Axes:
    """A new plot in `fig`, anywhere: `arrange` places it."""
    return fig.add_axes((0.0, 0.0, 1.0, 1.0))


def _points(size: float | str) -> float:
    return FontProperties(size=size).get_size_in_points()


def tick_labels(axis: Axis) -> list[str]:
    """The major tick labels `axis` will draw: its locator and formatter as matplotlib runs
    them at draw time (the formatter sees every location), kept to the view interval."""
    locs = list(axis.get_majorticklocs())
    labels = axis.get_major_formatter().format_ticks(locs)
    lo, hi = sorted(axis.get_view_interval())
    close = (hi - lo) * 1e-10  # as matplotlib's own check
    return [t for v, t in zip(locs, labels, strict=True) if lo - close <= v <= hi + close]


def _label_room(text: str, size: float) -> float:
    """Room an axis label takes (its height plus matplotlib's label pad), 0 without one."""
    return text_size(text, size)[1] + mpl.rcParams["axes.labelpad"] if text else 0.0


def _tick_room(axis: str) -> float:
    """A major tick and the pad between it and its label, in points."""
    rc = mpl.rcParams
    if axis == "x":
        return float(rc["xtick.major.size"] + rc["xtick.major.pad"])
    return float(rc["ytick.major.size"] + rc["ytick.major.pad"])


def title_room(text: str, size: float) -> float:
    """Room in points a title over a plot takes (matplotlib's title pad included)."""
    return text_size(text, size)[1] + mpl.rcParams["axes.titlepad"] if text else 0.0


@dataclass
class Panel:
    """One plot of a column: its share of the free height, whether its x tick labels show,
    and the room it needs above (its title, annotations), in points."""

    ax: Axes
    weight: float = 1.0
    xlabels: bool = True
    above: float = 0.0


def _below(panel: Panel) -> float:
    room = float(mpl.rcParams["xtick.major.size"])
    if panel.xlabels:
        size = _points(mpl.rcParams["xtick.labelsize"])
        texts = tick_labels(panel.ax.xaxis)
        room = _tick_room("x") + max([text_size(t, size)[1] for t in texts], default=0)
    xlabel = panel.ax.xaxis.label
    return room + _label_room(xlabel.get_text(), _points(xlabel.get_fontsize())) + PAD


def _left(ax: Axes) -> float:
    size = _points(mpl.rcParams["ytick.labelsize"])
    widths = [text_size(t, size)[0] for t in tick_labels(ax.yaxis)]
    ylabel = ax.yaxis.label
    return (
        _tick_room("y")
        + max(widths, default=0.0)
        + _label_room(ylabel.get_text(), _points(ylabel.get_fontsize()))
    )


def legend_width(names: Sequence[str]) -> float:
    """Width in points of a one-column legend without frame holding `names` (`legend`)."""
    rc = mpl.rcParams
    if not names:
        return 0.0
    em = rc["legend.borderpad"] * 2 + rc["legend.handlelength"] + rc["legend.handletextpad"]
    return float(em * LEGEND_SIZE + max(text_size(n, LEGEND_SIZE)[0] for n in names))


def arrange(
    fig: Figure,
    panels: Sequence[Panel],
    legends: Sequence[tuple[Axes, Sequence[Artist], Sequence[str]]],
    *,
    notes: Sequence[str] = (),
) -> None:
    """Place `panels` in one column of `fig`, top to bottom under the figure's title, with
    `notes` (lines of small text, `NOTE_LINE` apart) under the last one, and draw each
    legend (a plot, its handles and their names) right of its plot (`legend`), the column
    narrowed so the widest fits."""
    width, height = (v * 72 for v in fig.get_size_inches())
    name = fig.get_suptitle()
    head = PAD + (text_size(name, TITLE_SIZE, "bold")[1] if name else 0.0)
    overhang = text_size("0", _points(mpl.rcParams["ytick.labelsize"]))[1] / 2  # top y tick
    above = [max(p.above, overhang) + PAD for p in panels]
    under = [_below(p) for p in panels]
    below = NOTE_LINE * len(notes)  # and a PAD more above them, from the tick labels
    free = height - head - sum(above) - sum(under) - below - (PAD if notes else 0) - PAD
    total = sum(p.weight for p in panels)
    top = height - head
    rows: list[tuple[float, float]] = []
    for panel, room_above, room_below in zip(panels, above, under, strict=True):
        size = max(free * panel.weight / total, 1.0)
        top -= room_above + size
        rows.append((top, size))
        top -= room_below
    for panel, (y, size) in zip(panels, rows, strict=True):
        panel.ax.set_position((0.0, y / height, 1.0, size / height))  # the y ticks need it
    left = PAD + max(_left(p.ax) for p in panels)
    room = legend_width([n for _, _, names in legends for n in names])
    if room:  # a legend starts 1 % of the plot's width right of it, then its own pad
        room += mpl.rcParams["legend.borderaxespad"] * LEGEND_SIZE
    wide = (width - left - room - PAD) / (1.01 if room else 1.0)
    for panel, (y, size) in zip(panels, rows, strict=True):
        panel.ax.set_position((left / width, y / height, wide / width, size / height))
    for ax, handles, names in legends:
        legend(fig, ax, handles, names)
    for i, note in enumerate(notes):
        y = PAD + below - i * NOTE_LINE
        fig.text(left / width, y / height, note, va="top", fontsize=NOTE_SIZE)


def _no(style: object) -> bool:
    return style in (None, "None", "none", "", " ")


def legend(fig: Figure, ax: Axes, handles: Sequence[Artist], names: Sequence[str]) -> None:
    """A one-column legend without frame right of `ax`, where matplotlib's would sit with
    loc="upper left" and bbox_to_anchor=(1.01, 1), drawn as plain figure artists: a copy of
    each handle (a patch, or a line with its marker in the middle) and its text, labelled
    "legend". Matplotlib's `Legend` lays its nested offset boxes out again at every level of
    its draw: a quarter of a chart's drawing time. Call it once `ax` has its position."""
    rc = mpl.rcParams
    points = Affine2D().scale(1 / 72) + fig.dpi_scale_trans
    box = ax.get_position()
    width, height = (v * 72 for v in fig.get_size_inches())
    pad = (rc["legend.borderaxespad"] + rc["legend.borderpad"]) * LEGEND_SIZE
    x0 = (box.x1 + 0.01 * box.width) * width + pad
    x1 = x0 + rc["legend.handlelength"] * LEGEND_SIZE
    tall = rc["legend.handleheight"] * LEGEND_SIZE
    top = box.y1 * height - pad
    lp_h, lp_d = _lp(LEGEND_SIZE)
    for handle, name in zip(handles, names, strict=True):
        h = text_size(name, LEGEND_SIZE)[1]
        # the handle's box stands on the text's baseline; a text of several lines has its
        # baseline where a single line centred on it would have it
        base = top - h + (0.5 * h - 0.5 * (lp_h - lp_d) if "\n" in name else lp_d)
        mid = base + tall / 2
        parts: list[tuple[Artist, dict[str, Any]]] = []
        if isinstance(handle, Patch):
            parts.append((Rectangle((x0, base), x1 - x0, tall), {}))
        elif isinstance(handle, Line2D):
            if not _no(handle.get_linestyle()):
                parts.append((Line2D([x0, x1], [mid, mid]), {"marker": "None"}))
            if not _no(handle.get_marker()):
                parts.append((Line2D([(x0 + x1) / 2], [mid]), {"linestyle": "None"}))
        for part, style in parts:
            part.update_from(handle)  # the handle's style (and transform: replaced)
            part.set(transform=points, **style)
            fig.add_artist(part)
        text_x = x1 + rc["legend.handletextpad"] * LEGEND_SIZE
        fig.text(
            text_x, top, name, va="top", fontsize=LEGEND_SIZE, transform=points, label="legend"
        )
        top -= h + rc["legend.labelspacing"] * LEGEND_SIZE
