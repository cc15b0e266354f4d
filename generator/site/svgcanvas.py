"""The SVG canvas the charts are saved with: matplotlib's, with the text measures kept for
the process.

Matplotlib measures every text it draws through its renderer and keeps the measures per
renderer; each chart gets a new renderer, so every chart measured the same tick labels,
legend entries and words again: a fifth of its drawing time. `CanvasSVG` draws with a
renderer that asks `_svg_text_metrics`, kept for the process. It is only used in the chart
style (`draw`), whose fixed rc settings decide the font a text is measured in.
"""

from __future__ import annotations

import codecs
import functools
from typing import Any

from matplotlib import cbook
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

_TEXT_TO_PATH = TextToPath()


@functools.lru_cache(maxsize=16384)
def _svg_text_metrics(text: str, prop: FontProperties) -> tuple[float, float, float]:
    """Width, height and descent of a plain `text` as the SVG renderer measures it: a pure
    function of the text, the font found for `prop` and its size. Drawing happens only in
    the chart style (`draw._style`), so `prop` finds the same font for the life of the process."""
    measure: Any = _TEXT_TO_PATH.get_text_width_height_descent
    width, height, descent = measure(text, prop, False)
    return width, height, descent


class _MeasuredSVG(RendererSVG):
    """Matplotlib's SVG renderer with its text measures kept for the process: matplotlib
    keeps them per renderer, and each chart gets a new one, so every chart measured the same
    tick labels, legend entries and words again (a fifth of its drawing time)."""

    def get_text_width_height_descent(
        self, s: str, prop: FontProperties, ismath: bool | str
    ) -> tuple[float, float, float]:
        if ismath:
            measure: Any = super().get_text_width_height_descent
            return measure(s, prop, ismath)  # type: ignore[no-any-return]
        return _svg_text_metrics(s, prop.copy())


class CanvasSVG(FigureCanvasSVG):
    """Matplotlib's SVG canvas drawing with `_MeasuredSVG` (tests/test_charts.py checks that
    the bytes are matplotlib's own)."""

    def print_svg(
        self,
        filename: Any,
        *,
        bbox_inches_restore: Any = None,
        metadata: Any = None,
        **_: Any,
    ) -> None:
        """As `FigureCanvasSVG.print_svg` (matplotlib 3.8 to 3.11), with our renderer.
        `savefig` hands a canvas outside matplotlib `dpi`, `facecolor`, `edgecolor` and
        `orientation` too; matplotlib's own SVG canvas is not given them, so they are
        dropped here (the figure's patch, drawn by the figure, carries its colours)."""
        with cbook.open_file_cm(filename, "w", encoding="utf-8") as fh:
            if not cbook.file_requires_unicode(fh):
                fh = codecs.getwriter("utf-8")(fh)  # type: ignore[assignment]
            dpi = self.figure.dpi
            self.figure.dpi = 72
            width, height = self.figure.get_size_inches()
            w, h = width * 72, height * 72
            svg: Any = _MeasuredSVG
            renderer = MixedModeRenderer(  # type: ignore[no-untyped-call]
                self.figure,
                width,
                height,
                dpi,
                svg(w, h, fh, image_dpi=dpi, metadata=metadata),
                bbox_inches_restore=bbox_inches_restore,
            )
            self.figure.draw(renderer)  # type: ignore[arg-type]
            renderer.finalize()
