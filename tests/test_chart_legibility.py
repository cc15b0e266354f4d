"""Charts people can read: every text of every chart of the sample shows at 11 CSS px or more
where a reader sees it, no annotation is cut short, and no two texts collide or leave the
chart.

The sizes are computed here from the SVG bytes alone, not from the drawing code's constants:
a chart is an <img> in Material's content column, 688 CSS px wide on a desktop (1280 px
viewport); the browser scales the SVG's whole viewBox to the image's width, which is the
SVG's own width (in pt, 1 pt = 4/3 CSS px) or the column's, whichever is smaller.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
import xml.etree.ElementTree as ET

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text

from generator.assess.status import Assessment, assess_portfolio
from generator.portfolio.validate import validate_portfolio
from generator.site import charts, draw
from generator.site.i18n import Labels

from .conftest import SAMPLE

COLUMN_PX = 688  # Material's content column at a 1280 px viewport
LEAST_PX = 11.0
SVG = "{http://www.w3.org/2000/svg}"
LONG_NOTE = (
    "Root cause investigation RCA-2025-07 found that the new workforce management release "
    "shifted every break by fifteen minutes for agents on split shifts; the vendor fixed it "
    "in release 4.2.1 on 18 March."
)


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    portfolio, report = validate_portfolio(SAMPLE)
    assert portfolio is not None, report.diagnostics
    return assess_portfolio(portfolio)


def sample_specs(assessment: Assessment, language: str) -> dict[str, charts.ChartSpec]:
    labels = Labels(language)
    found: dict[str, charts.ChartSpec] = {
        mid: charts.metric_chart(result, labels) for mid, result in assessment.metrics.items()
    }
    found["overview"] = charts.overview_chart(assessment, labels)
    found["findings"] = charts.findings_chart(assessment, labels)
    return found


@pytest.fixture(scope="module")
def svgs(assessment: Assessment) -> dict[str, bytes]:
    return {name: draw.render_svg(s) for name, s in sample_specs(assessment, "en").items()}


def _pt(length: str) -> float:
    match = re.fullmatch(r"([0-9.]+)(pt|px)?", length.strip())
    assert match, length
    value = float(match[1])
    return value if match[2] in (None, "pt") else value * 72 / 96


def _scale(transform: str) -> float:
    """How much an SVG transform list scales lengths (the root of its determinant)."""
    factor = 1.0
    for name, args in re.findall(r"(\w+)\s*\(([^)]*)\)", transform):
        numbers = [float(n) for n in re.split(r"[\s,]+", args.strip()) if n]
        if name == "matrix":
            a, b, c, d = numbers[:4]
            factor *= math.sqrt(abs(a * d - b * c))
        elif name == "scale":
            sx = numbers[0]
            sy = numbers[1] if len(numbers) > 1 else sx
            factor *= math.sqrt(abs(sx * sy))
        else:
            assert name in ("translate", "rotate"), name
    return factor


def shown_sizes(svg: bytes) -> list[tuple[str, float]]:
    """Every <text> of `svg` with the size in CSS px a reader sees it at in the column."""
    root = ET.fromstring(svg)
    view = [float(v) for v in root.attrib["viewBox"].split()]
    width_pt = _pt(root.attrib["width"])
    assert math.isclose(view[2], width_pt)  # user units are points: the whole drawing scales
    shown_width_px = min(COLUMN_PX, width_pt * 96 / 72)
    px_per_unit = shown_width_px / view[2]
    parents = {child: parent for parent in root.iter() for child in parent}
    found = []
    for text in root.iter(f"{SVG}text"):
        style = dict(
            (k.strip(), v.strip())
            for k, v in (part.split(":", 1) for part in text.attrib["style"].split(";") if part)
        )
        font = re.fullmatch(r"([0-9.]+)(px)?", style["font-size"])
        assert font, style
        size = float(font[1])  # in user units (CSS px inside an SVG), which are its points
        node: ET.Element | None = text
        while node is not None:
            size *= _scale(node.attrib.get("transform", ""))
            node = parents.get(node)
        found.append(("".join(text.itertext()), size * px_per_unit))
    return found


def test_every_text_of_every_sample_chart_shows_at_11_px(svgs: dict[str, bytes]) -> None:
    assert len(svgs) == 21
    smallest = []
    for name, svg in sorted(svgs.items()):
        sizes = shown_sizes(svg)
        assert len(sizes) > 10, name  # text kept as text (svg.fonttype "none"), not paths
        small = [(t, round(px, 2)) for t, px in sizes if px < LEAST_PX]
        assert not small, (name, small)
        smallest.append(min(px for _, px in sizes))
    assert min(smallest) >= LEAST_PX


def test_the_chart_scales_as_a_whole(svgs: dict[str, bytes]) -> None:
    """A viewBox and a width in points: on a phone the browser scales the whole drawing."""
    root = ET.fromstring(svgs["M13"])
    x, y, width, height = (float(v) for v in root.attrib["viewBox"].split())
    assert (x, y) == (0, 0) and width == _pt(root.attrib["width"])
    assert height == _pt(root.attrib["height"])
    assert 600 <= width * 96 / 72 <= 760  # about the column: drawn for it, not scaled down a lot


def _texts(svg: bytes) -> str:
    root = ET.fromstring(svg)
    return " ".join(" ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text")).split())


def test_a_long_annotation_is_shown_whole(assessment: Assessment) -> None:
    result = assessment.metrics["M13"]
    first, *rest = result.metric.annotations
    assert len(LONG_NOTE) >= 200
    metric = dataclasses.replace(
        result.metric, annotations=(dataclasses.replace(first, text=LONG_NOTE), *rest)
    )
    spec = charts.metric_chart(dataclasses.replace(result, metric=metric), Labels("en"))
    assert LONG_NOTE in [n.text for n in spec.notes]
    shown = _texts(draw.render_svg(spec))
    assert LONG_NOTE in shown and "…" not in shown
    for note in spec.notes:
        assert note.text in shown and note.text in charts.alt_text(spec)
    assert "…" not in charts.alt_text(spec)


def test_the_sample_annotations_are_shown_whole(
    assessment: Assessment, svgs: dict[str, bytes]
) -> None:
    for mid, result in assessment.metrics.items():
        shown = _texts(svgs[mid])
        assert "…" not in shown, mid
        for note in result.metric.annotations:
            assert " ".join(note.text.split()) in shown, (mid, note.text)


def _readable(fig: Figure) -> list[Text]:
    """Every text a reader sees: titles, tick and axis labels, legends, notes, the texts in
    and over the plots."""
    found = [t for t in fig.texts if t.get_text()]
    for ax in fig.axes:
        found += [ax.title, ax._left_title, ax._right_title]  # type: ignore[attr-defined]
        found += [ax.xaxis.label, ax.yaxis.label, *ax.texts]
        for axis in (ax.xaxis, ax.yaxis):  # the ticks in view: matplotlib draws no other
            lo, hi = sorted(axis.get_view_interval())
            close = (hi - lo) * 1e-9
            ticks = zip(axis.get_majorticklocs(), axis.get_major_ticks(), strict=False)
            found += [tick.label1 for v, tick in ticks if lo - close <= v <= hi + close]
    return [t for t in found if t.get_visible() and t.get_text()]


@pytest.mark.parametrize("language", ["en", "nb", "es"])
def test_no_text_collides_or_leaves_the_chart(assessment: Assessment, language: str) -> None:
    for name, spec in sample_specs(assessment, language).items():
        with draw.drawn(spec) as fig:
            renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
            texts = _readable(fig)
            boxes = [t.get_window_extent(renderer) for t in texts]
            patches = [
                t.get_bbox_patch().get_window_extent(renderer)  # type: ignore[union-attr]
                if t.get_bbox_patch() is not None and isinstance(t, Annotation)
                else None
                for t in texts
            ]
            edge = fig.bbox
        for text, box in zip(texts, boxes, strict=True):
            where = (name, text.get_text())
            assert edge.x0 <= box.x0 and box.x1 <= edge.x1 and edge.y0 <= box.y0, where
            assert box.y1 <= edge.y1, where
        pairs = itertools.combinations(zip(texts, boxes, patches, strict=True), 2)
        for (a, box_a, patch_a), (b, box_b, patch_b) in pairs:
            assert not box_a.overlaps(box_b), (name, a.get_text(), b.get_text())
            for patch, other in ((patch_a, box_b), (patch_b, box_a)):
                assert patch is None or not patch.overlaps(other), (name, a.get_text())
