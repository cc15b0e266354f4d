"""Chart layout without a layout engine: the plots of a chart placed in one column from the
measured size of the few texts around them, so a chart is drawn once.

Matplotlib's constrained layout measures every artist of the figure in an extra full draw
before the real one: more than half of a chart's drawing time. Here `arrange` measures only
what sits outside the plots (tick labels in view, axis labels, titles, legend entries, notes),
each string once per process (`text_size`, cached) as matplotlib lays it out on the SVG and
the Agg renderer, sets every plot's position and the figure's height, draws the legends as
plain artists in columns under their plots (`legend`) and lists the notes, wrapped (`wrap`).
Everything is in points (1/72 inch), so the layout does not depend on the dpi a chart is
saved at, and it is a function of the chart's texts alone: deterministic.

Sizes are chosen for where a chart is read (`DISPLAY_WIDTH_PX`): every text shows at
`MIN_TEXT_PX` or more (tests/test_chart_legibility.py measures the SVGs).
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
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from matplotlib.textpath import TextToPath
from matplotlib.transforms import Affine2D, offset_copy

from generator.site import ticks

FONT = "DejaVu Sans"  # the charts' only font (draw.RC_PARAMS)
#: Where a chart is read: an <img> in Material's content column, 688 CSS px wide at a 1280 px
#: desktop viewport. The SVG's width is in points (1 pt = 4/3 CSS px) and the browser scales
#: the whole drawing to the column (down only: an <img> never grows past its own width), so a
#: font of s pt shows at s * min(DISPLAY_WIDTH_PX, WIDTH * 96) / (WIDTH * 72) CSS px.
DISPLAY_WIDTH_PX = 688
MIN_TEXT_PX = 11.0  # the smallest text a reader gets there
WIDTH = 7.2  # inches, every chart: 518.4 pt = 691 CSS px, shown at 688 px (1 pt = 1.33 px)
#: The smallest font size in points that shows at MIN_TEXT_PX: 8.3 pt at WIDTH.
MIN_SIZE = MIN_TEXT_PX * WIDTH * 72 / min(DISPLAY_WIDTH_PX, WIDTH * 96)
SMALL_SIZE = 9.0  # the smallest text drawn (n labels, annotation numbers): 11.9 px shown
TITLE_SIZE = 11.0  # the chart's title, bold, top left (`figure`)
PNG_DPI = 100  # previews (draw.render_png): text measured for them too
LEGEND_SIZE = SMALL_SIZE  # points
NOTE_SIZE, NOTE_LINE = SMALL_SIZE, 1.35 * SMALL_SIZE  # notes under the plots: lines apart
NOTE_PAD = 0.25  # ems around an annotation's number, in its box on the plot and in the notes
NOTE_BOX: Any = {"boxstyle": f"round,pad={NOTE_PAD}", "fc": "white", "lw": 0.6}
PAD = 4.0  # points kept free around the figure's edge and between neighbouring parts
_TEXT = TextToPath()
PLOT: type[Axes] = ticks.Plot  # the class of every plot (tests compare with plain Axes)
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


_TITLE_STYLE: Any = {"ha": "left", "va": "top", "fontsize": TITLE_SIZE, "weight": "bold"}


def figure(title: str) -> Figure:
    """A chart's figure, `WIDTH` wide (`arrange` gives it its height), with no layout engine
    (the plots are placed by `arrange`), its title at the top left, `PAD` from the edges and
    wrapped to the width: it stays there whatever height the figure gets."""
    fig = Figure(figsize=(WIDTH, 1.0), dpi=PNG_DPI)
    corner = offset_copy(fig.transFigure, fig, x=PAD, y=-PAD, units="points")
    text = wrap(title, TITLE_SIZE, WIDTH * 72 - 2 * PAD, "bold")
    fig.suptitle(text, x=0, y=1, transform=corner, **_TITLE_STYLE)
    return fig


def _space(size: float, weight: str) -> float:
    """The width a space adds between two words."""
    return text_size("n n", size, weight)[0] - text_size("nn", size, weight)[0]


def _pieces(word: str, size: float, width: float, weight: str) -> list[str]:
    """`word` as it fits in lines `width` wide: itself, or cut where it must be (a long URL)."""
    if text_size(word, size, weight)[0] <= width:
        return [word]
    pieces, piece = [], ""
    for char in word:
        if piece and text_size(piece + char, size, weight)[0] > width:
            pieces.append(piece)
            piece = ""
        piece += char
    return [*pieces, piece]


def wrap(text: str, size: float, width: float, weight: str = "normal") -> str:
    """`text` in lines (joined by newlines) at most `width` points wide, broken at spaces,
    a word wider than a line cut where it must be. Measured word by word (`text_size`, so
    each word once per process), with a little room for what kerning across words adds."""
    room = width * 0.98
    space = _space(size, weight)
    lines: list[str] = []
    line, used = "", 0.0
    for word in text.split():
        for piece in _pieces(word, size, room, weight):
            wide = text_size(piece, size, weight)[0]
            if line and used + space + wide <= room:
                line, used = f"{line} {piece}", used + space + wide
                continue
            if line:
                lines.append(line)
            line, used = piece, wide
    return "\n".join([*lines, line] if line else lines)


def plot(fig: Figure) -> Axes:
    """A new plot in `fig`, anywhere: `arrange` places it."""
    return fig.add_axes((0.0, 0.0, 1.0, 1.0), axes_class=PLOT)


def line(ax: Axes, xs: Sequence[float], ys: Sequence[float], **style: Any) -> Line2D:
    """A line or markers on `ax`, in data coordinates unless `style` gives a `transform`,
    as `ax.plot` draws it, without the rest of what `plot` does: parsing its arguments,
    the colour cycle (every line here names its colours) and the data limits (every plot
    sets its limits itself). A third of the time."""
    drawn = Line2D(xs, ys, **style)
    ax.add_artist(drawn)
    return drawn


def hlines(ax: Axes, spans: Sequence[tuple[float, float, float]], **style: Any) -> None:
    """Horizontal segments on `ax`, each (y, from x, to x), as `ax.hlines` draws them (one
    collection), without updating the data limits: a fifth of the time."""
    segments = [[(a, y), (b, y)] for y, a, b in spans]
    ax.add_collection(LineCollection(segments, **style), autolim=False)


def _points(size: float | str) -> float:
    return FontProperties(size=size).get_size_in_points()


def tick_labels(axis: Axis) -> list[str]:
    """The major tick labels `axis` will draw (`ticks.in_view`)."""
    return [label for _, label in ticks.in_view(axis)]


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
    """One plot of a column: its height, whether its x tick labels show, and the room it
    needs above (its title, annotation numbers), in points."""

    ax: Axes
    height: float = 200.0
    xlabels: bool = True
    above: float = 0.0


def _label_extent(axis: str, texts: Sequence[str]) -> float:
    """How far tick labels reach from their pad, in points: the tallest of an x axis's, the
    widest of a y axis's; 0 without labels."""
    rc: Any = mpl.rcParams  # read with keys built at run time
    size = _points(rc[f"{axis}tick.labelsize"])
    return max((text_size(t, size)[1 if axis == "x" else 0] for t in texts), default=0.0)


def _below(panel: Panel) -> float:
    room = float(mpl.rcParams["xtick.major.size"])
    if panel.xlabels:
        room = _tick_room("x") + _label_extent("x", tick_labels(panel.ax.xaxis))
    xlabel = panel.ax.xaxis.label
    return room + _label_room(xlabel.get_text(), _points(xlabel.get_fontsize())) + PAD


def _left(ax: Axes) -> float:
    ylabel = ax.yaxis.label
    return (
        _tick_room("y")
        + _label_extent("y", tick_labels(ax.yaxis))
        + _label_room(ylabel.get_text(), _points(ylabel.get_fontsize()))
    )


@dataclass
class Grid:
    """A legend laid out in columns under its plot: its names (long ones wrapped), the x of
    each column from the legend's left and the height of each row, in points."""

    names: list[str]
    columns: list[float]
    rows: list[float]

    @property
    def height(self) -> float:
        gaps = mpl.rcParams["legend.labelspacing"] * LEGEND_SIZE * (len(self.rows) - 1)
        return sum(self.rows) + gaps if self.rows else 0.0


def _lead() -> float:
    """A legend entry's handle and the pad after it, in points."""
    rc = mpl.rcParams
    return float((rc["legend.handlelength"] + rc["legend.handletextpad"]) * LEGEND_SIZE)


_COLUMN_GAP = 1.5 * LEGEND_SIZE  # between legend columns


def legend_grid(names: Sequence[str], space: float) -> Grid:
    """`names` in as many columns as fit `space` points unwrapped, filled row by row, each
    column as wide as its widest entry; when fewer than two columns would fit, two columns
    (one for a single name) of half the space, long names wrapped."""
    count, lead = len(names), _lead()
    widths = [lead + text_size(n, LEGEND_SIZE)[0] for n in names]
    columns: list[float] = []
    for cols in range(count, 1, -1):
        cols_w = [max(widths[c::cols]) for c in range(cols)]
        if sum(cols_w) + _COLUMN_GAP * (cols - 1) <= space:
            columns = cols_w
            break
    shown = list(names)
    if not columns and count:
        cols = min(2, count)
        each = (space - _COLUMN_GAP * (cols - 1)) / cols
        shown = [wrap(n, LEGEND_SIZE, each - lead) for n in names]
        columns = [each] * cols
    xs = [sum(columns[:c]) + _COLUMN_GAP * c for c in range(len(columns))]
    step = max(len(columns), 1)
    rows = [
        max(text_size(n, LEGEND_SIZE)[1] for n in shown[r : r + step])
        for r in range(0, count, step)
    ]
    return Grid(shown, xs, rows)


def _note_lines(notes: Sequence[tuple[str, str]], space: float) -> tuple[float, list[str]]:
    """The indent of the notes' texts (their numbers' boxes and a gap) and each text wrapped
    to what is left of `space` points."""
    pad = 2 * NOTE_PAD * NOTE_SIZE + NOTE_BOX["lw"]
    indent = max((text_size(n, NOTE_SIZE)[0] + pad for n, _ in notes), default=0.0)
    indent += 0.6 * NOTE_SIZE
    return indent, [wrap(text, NOTE_SIZE, space - indent) for _, text in notes]


def arrange(
    fig: Figure,
    panels: Sequence[Panel],
    legends: Sequence[tuple[Axes, Sequence[Artist], Sequence[str]]],
    *,
    notes: Sequence[tuple[str, str]] = (),
) -> None:
    """Give `fig` the height its parts take and place them top to bottom under its title:
    each plot of `panels` (`Panel.height` high, as wide as its y tick labels leave), its x
    tick labels and the legends that belong to it (a plot, its handles and their names,
    in columns: `legend_grid`, `legend`), then `notes` (a number, boxed, and its text,
    wrapped). Nothing is cut or squeezed: long names and notes take more lines."""
    width = fig.get_size_inches()[0] * 72
    # a plot's y ticks depend on its height only, its x ticks on its width: measured at both
    rough = sum(p.height for p in panels) + 1.0
    fig.set_size_inches(width / 72, rough / 72)
    for panel in panels:
        panel.ax.set_position((0.0, 0.0, 1.0, panel.height / rough))
    left = PAD + max(_left(p.ax) for p in panels)
    wide = width - left - PAD
    for panel in panels:
        panel.ax.set_position((left / width, 0.0, wide / width, panel.height / rough))
    grids = [(ax, handles, legend_grid(names, wide)) for ax, handles, names in legends]
    indent, lines = _note_lines(notes, wide)
    name = fig.get_suptitle()
    down = PAD + (text_size(name, TITLE_SIZE, "bold")[1] if name else 0.0)
    overhang = text_size("0", _points(mpl.rcParams["ytick.labelsize"]))[1] / 2  # top y tick
    tops: list[float] = []  # of each plot, then each legend, then each note: from the top
    for panel in panels:
        down += max(panel.above, overhang) + PAD
        tops.append(down)
        down += panel.height + _below(panel)
        for ax, _, grid in grids:
            if ax is panel.ax:
                tops.append(down)
                down += grid.height + PAD
    for text in lines:
        tops.append(down + PAD)
        down += PAD + NOTE_LINE * (text.count("\n") + 1)
    height = down + PAD
    fig.set_size_inches(width / 72, height / 72)
    at = iter(tops)
    for panel in panels:
        y = height - next(at) - panel.height
        panel.ax.set_position((left / width, y / height, wide / width, panel.height / height))
        _ticks(fig, panel.ax)
        for ax, handles, grid in grids:
            if ax is panel.ax:
                legend(fig, (left, height - next(at)), handles, grid)
    for (number, _), text in zip(notes, lines, strict=True):
        y = (height - next(at)) / height
        fig.text(left / width, y, number, va="top", fontsize=NOTE_SIZE, bbox=NOTE_BOX)
        for i, line in enumerate(text.split("\n")):
            y_line = y - i * NOTE_LINE / height
            fig.text((left + indent) / width, y_line, line, va="top", fontsize=NOTE_SIZE)


def _ticks(fig: Figure, ax: Axes) -> None:
    """`ax`'s ticks drawn as plain artists (`ticks.as_artists`) and its axis labels placed
    where matplotlib would place them: `labelpad` beyond the spine's tick labels."""
    drawn = ticks.as_artists(ax)
    for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
        if not axis.label.get_text():
            continue
        room = (_tick_room(name) + _label_extent(name, drawn[name])) if drawn[name] else 0.0
        room += mpl.rcParams["axes.labelpad"]
        x, y = (0.5, 0.0) if name == "x" else (0.0, 0.5)
        shift = {"y": -room} if name == "x" else {"x": -room}
        axis.set_label_coords(x, y, offset_copy(ax.transAxes, fig, units="points", **shift))


def _no(style: object) -> bool:
    return style in (None, "None", "none", "", " ")


def legend(fig: Figure, corner: tuple[float, float], handles: Sequence[Artist], grid: Grid) -> None:
    """A legend without frame, its top left at `corner` (points from the figure's bottom
    left), its entries in `grid`'s columns row by row, drawn as plain figure artists: a copy
    of each handle (a patch, or a line with its marker in the middle, the marker no taller
    than a line of text) and its text, labelled "legend". Matplotlib's `Legend` lays its
    nested offset boxes out again at every level of its draw: a quarter of a chart's drawing
    time. Call it once the figure has its size."""
    rc = mpl.rcParams
    points = Affine2D().scale(1 / 72) + fig.dpi_scale_trans
    tall = rc["legend.handleheight"] * LEGEND_SIZE
    lp_h, lp_d = _lp(LEGEND_SIZE)
    step = len(grid.columns)
    row_top = corner[1]
    for k, (handle, name) in enumerate(zip(handles, grid.names, strict=True)):
        if k and k % step == 0:
            row_top -= grid.rows[k // step - 1] + rc["legend.labelspacing"] * LEGEND_SIZE
        x0 = corner[0] + grid.columns[k % step]
        x1 = x0 + rc["legend.handlelength"] * LEGEND_SIZE
        h = text_size(name, LEGEND_SIZE)[1]
        # the handle's box stands on the text's baseline; a text of several lines has its
        # baseline where a single line centred on it would have it
        base = row_top - h + (0.5 * h - 0.5 * (lp_h - lp_d) if "\n" in name else lp_d)
        mid = base + tall / 2
        parts: list[tuple[Artist, dict[str, Any]]] = []
        if isinstance(handle, Patch):
            parts.append((Rectangle((x0, base), x1 - x0, tall), {}))
        elif isinstance(handle, Line2D):
            if not _no(handle.get_linestyle()):
                parts.append((Line2D([x0, x1], [mid, mid]), {"marker": "None"}))
            if not _no(handle.get_marker()):
                size = min(handle.get_markersize(), 1.1 * LEGEND_SIZE)
                parts.append((Line2D([(x0 + x1) / 2], [mid]), {"ls": "None", "ms": size}))
        for part, style in parts:
            part.update_from(handle)  # the handle's style (and transform: replaced)
            part.set(transform=points, **style)
            fig.add_artist(part)
        text_x = x1 + rc["legend.handletextpad"] * LEGEND_SIZE
        fig.text(
            text_x, row_top, name, va="top", fontsize=LEGEND_SIZE, transform=points, label="legend"
        )
