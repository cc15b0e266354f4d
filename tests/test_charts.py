"""Charts: the numbers each spec carries (the sample's reference), deterministic SVG, the cache."""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import os
import pickle
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib as mpl
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG

from generator.assess.journey import assess_journey
from generator.assess.status import Assessment, assess_portfolio
from generator.portfolio.validate import validate_portfolio
from generator.site import chartcache, chartlayout, charts, chartspec, comparechart, draw, ticks
from generator.site.i18n import Labels

from .conftest import ROOT, SAMPLE

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    portfolio, report = validate_portfolio(SAMPLE)
    assert portfolio is not None, report.diagnostics
    return assess_portfolio(portfolio)


@pytest.fixture(scope="module")
def labels() -> Labels:
    return Labels("en")


@pytest.fixture(scope="module")
def specs(assessment: Assessment, labels: Labels) -> dict[str, charts.ChartSpec]:
    """One chart of each kind, plus M05 (stepped target) and M11 (band)."""
    found: dict[str, charts.ChartSpec] = {
        f"metrics/{mid}.svg": charts.metric_chart(assessment.metrics[mid], labels)
        for mid in ("M13", "M05", "M11")
    }
    found["charts/overview.svg"] = charts.overview_chart(assessment, labels)
    found["charts/findings.svg"] = charts.findings_chart(assessment, labels)
    return found


@pytest.fixture(scope="module")
def rendered(specs: dict[str, charts.ChartSpec]) -> dict[str, bytes]:
    """The serial reference render (no cache, no pool)."""
    return chartcache.render_charts(specs, cache_dir=None, workers=1)


def metric(specs: dict[str, charts.ChartSpec], mid: str) -> charts.MetricChart:
    spec = specs[f"metrics/{mid}.svg"]
    assert isinstance(spec, charts.MetricChart)
    return spec


def at(spec: charts.MetricChart, month: str) -> int:
    return spec.months.index(month)


# chart inputs --------------------------------------------------------------------------------


def test_m13_values_limits_and_signals(specs: dict[str, charts.ChartSpec]) -> None:
    spec = metric(specs, "M13")
    (panel,) = spec.panels
    assert len(panel.values) == 24 and spec.months[0] == "2023-01" and spec.months[-1] == "2024-12"
    first, second = panel.phases
    assert (first.start, first.end, second.start, second.end) == (0, 11, 12, 23)
    assert second.lower is not None and second.upper is not None and second.centre is not None
    assert (round(second.lower, 2), round(second.centre, 2), round(second.upper, 2)) == (
        91.39,
        92.42,
        93.46,
    )
    assert first.upper is not None and round(first.upper, 2) != round(second.upper, 2)
    beyond = {spec.months[x] for s in panel.signals if s.rule == "beyond-limits" for x in s.points}
    assert beyond == {"2023-01", "2024-05", "2024-11", "2024-12"}
    (trend,) = [s for s in panel.signals if s.rule == "trend"]
    assert trend.direction == "falling"
    assert trend.points == tuple(range(at(spec, "2024-05"), at(spec, "2024-12") + 1))
    assert {spec.months[x] for x in panel.missed} >= {"2024-09", "2024-10", "2024-11", "2024-12"}
    assert len(panel.missed) == 10  # 6 in 2023, 4 in 2024
    assert spec.comparators == (("Sister program", 93.0, "2024-12"),)


def test_m05_target_steps_at_2024(specs: dict[str, charts.ChartSpec]) -> None:
    spec = metric(specs, "M05")
    (panel,) = spec.panels
    changes = [
        (spec.months[x], panel.target[i - 1], panel.target[i])
        for i, x in enumerate(panel.x)
        if i and panel.target[i] != panel.target[i - 1]
    ]
    assert changes == [("2024-01", 75, 77)]
    assert not any(panel.band)


def test_m11_band(specs: dict[str, charts.ChartSpec]) -> None:
    (panel,) = metric(specs, "M11").panels
    assert set(panel.band) == {(420, 540)}
    assert set(panel.target) == {None}


@pytest.mark.parametrize(
    ("mid", "month", "n", "interval"),
    [("M10", "2024-12", 168, (32.6, 53.4)), ("M07", "2023-08", 212, (95.8, 99.5))],
)
def test_low_n_months_carry_their_interval(
    assessment: Assessment,
    labels: Labels,
    mid: str,
    month: str,
    n: int,
    interval: tuple[float, float],
) -> None:
    """M10 is an NPS (value ± its margin), M07 a sampled proportion (Wilson, asymmetric)."""
    spec = charts.metric_chart(assessment.metrics[mid], labels)
    (panel,) = spec.panels
    (low,) = panel.low_n
    assert (spec.months[low.x], low.n) == (month, n)
    assert (round(low.low, 1), round(low.high, 1)) == interval
    assert low.low < low.value < low.high <= (100 if spec.unit == "%" else low.high)


def test_annotations_are_numbered_in_date_order(specs: dict[str, charts.ChartSpec]) -> None:
    spec = metric(specs, "M13")
    assert [n.number for n in spec.notes] == list(range(1, len(spec.notes) + 1))
    assert [spec.months[n.x] for n in spec.notes] == sorted(spec.months[n.x] for n in spec.notes)
    assert [(spec.months[n.x], n.kind) for n in spec.notes][:2] == [
        ("2023-01", "event"),
        ("2024-01", "phase"),
    ]


def test_overview_counts_match_the_tallies(
    specs: dict[str, charts.ChartSpec], assessment: Assessment
) -> None:
    spec = specs["charts/overview.svg"]
    assert isinstance(spec, charts.OverviewChart)
    totals = [sum(counts[i] for _, counts in spec.categories) for i in range(4)]
    assert totals == [34, 4, 0, 0]
    assert totals == [n for _, n in assessment.tally("requirements").counts]
    assert spec.metrics == (16, 2, 1, 0)
    assert spec.statuses == ("met", "partly met", "not met", "no evidence")


def test_findings_raised_closed_and_due(specs: dict[str, charts.ChartSpec]) -> None:
    spec = specs["charts/findings.svg"]
    assert isinstance(spec, charts.FindingsChart)
    assert (spec.start, spec.as_of) == ("2024-03-13", "2025-01-15")
    assert spec.raised[-1][1] == 5 and spec.closed[-1][1] == 3
    assert [n for _, n in spec.raised] == sorted(n for _, n in spec.raised)
    assert spec.due == (("2025-02-28", "F-03"), ("2025-02-28", "F-04"))


def test_specs_are_hashable_picklable_and_keyed_by_content(
    specs: dict[str, charts.ChartSpec],
) -> None:
    spec = metric(specs, "M13")
    assert pickle.loads(pickle.dumps(spec)) == spec and hash(spec) == hash(
        dataclasses.replace(spec)
    )
    changed = dataclasses.replace(spec, title=spec.title + " ")
    assert chartcache.chart_key(spec) == chartcache.chart_key(dataclasses.replace(spec))
    assert chartcache.chart_key(changed) != chartcache.chart_key(spec)
    # the key is the spec's repr: every spec class is frozen and writes every field
    classes = [c for c in vars(chartspec).values() if dataclasses.is_dataclass(c)]
    assert len(classes) >= 9
    for cls in classes:
        assert cls.__dataclass_params__.frozen, cls  # type: ignore[attr-defined]
        assert all(f.repr for f in dataclasses.fields(cls)), cls


def test_alt_text_states_the_numbers(specs: dict[str, charts.ChartSpec]) -> None:
    m13 = charts.alt_text(specs["metrics/M13.svg"])
    for needle in ("Schedule adherence", "Jan 2023", "92%", "91.39", "93.46", "falling", "4/12"):
        assert needle in m13, needle
    assert "75% (Jan\u2009–\u2009Dec 2023)" in charts.alt_text(specs["metrics/M05.svg"])
    assert "420–540\u00a0s" in charts.alt_text(specs["metrics/M11.svg"])
    overview = charts.alt_text(specs["charts/overview.svg"])
    assert "met 34" in overview and "partly met 4" in overview and "improving 2" in overview
    findings = charts.alt_text(specs["charts/findings.svg"])
    assert "Raised 5" in findings and "Closed findings 3" in findings and "F-04" in findings


def test_alt_text_lists_the_annotations_in_full(
    specs: dict[str, charts.ChartSpec], assessment: Assessment
) -> None:
    spec = metric(specs, "M13")
    text = charts.alt_text(spec)
    assert (
        "Status: not met. Annotations: 1 (Jan 2023, event): Billing-system migration (P1) and "
        "winter peak across the entity. 2 (Jan 2024, phase): New process phase" in text
    )
    assert "run of falling points that reaches 8 in December; investigation open. 6 (Dec" in text
    assert all(n.text in text for n in spec.notes) and "…" not in text
    norsk = charts.alt_text(charts.metric_chart(assessment.metrics["M13"], Labels("nb")))
    assert "Kommentarer: 1 (jan. 2023, " in norsk
    assert "Annotations" not in charts.alt_text(dataclasses.replace(spec, notes=()))


def test_wrap_keeps_every_word_within_the_width() -> None:
    words = "Lowest point (95.4 %), below the 2023 lower limit: effect of the tariff change " * 3
    url = "https://example.com/" + "x" * 120
    with mpl.rc_context(draw.RC_PARAMS):
        lines = chartlayout.wrap(words + url, 9, 200).split("\n")
        widths = [chartlayout.text_size(line, 9)[0] for line in lines]
    assert max(widths) <= 200 and len(lines) >= 8
    assert " ".join(lines).split()[:-5] == words.split()  # broken at spaces, words kept
    assert "".join(lines[-5:]) == url  # a word longer than a line: cut where it must be


def test_alt_text_uses_the_portfolio_language(assessment: Assessment) -> None:
    text = charts.alt_text(charts.metric_chart(assessment.metrics["M13"], Labels("nb")))
    assert "Mål 92\u00a0%" in text and "Kontrollgrenser 91,39–93,46" in text
    assert "jan. 2023–des. 2024" in text and "2023-01" not in text
    spanish = charts.alt_text(charts.metric_chart(assessment.metrics["M11"], Labels("es")))
    assert "Banda objetivo 420–540\u00a0s (ene 2023\u2009–\u2009dic 2024)" in spanish


# rendering -----------------------------------------------------------------------------------


def parse(svg: bytes) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("name", ["metrics/M13.svg", "charts/overview.svg", "charts/findings.svg"])
def test_svg_is_well_formed_titled_and_repeatable(
    name: str, specs: dict[str, charts.ChartSpec], rendered: dict[str, bytes]
) -> None:
    spec = specs[name]
    root = parse(rendered[name])
    assert root.findtext(f"{SVG}title") == spec.title
    assert spec.title in texts(root)
    assert b"dc:date" not in rendered[name] and b"Matplotlib v" not in rendered[name]
    assert draw.render_svg(spec) == rendered[name]


def test_png_has_no_version_metadata(specs: dict[str, charts.ChartSpec]) -> None:
    png = draw.render_png(specs["charts/findings.svg"])
    assert png.startswith(b"\x89PNG") and b"Matplotlib" not in png


def test_pool_renders_the_same_bytes(
    specs: dict[str, charts.ChartSpec], rendered: dict[str, bytes]
) -> None:
    drawn = chartcache.ChartStats()
    pooled = chartcache.render_charts(specs, cache_dir=None, workers=2, progress=False, stats=drawn)
    assert list(pooled) == sorted(specs) and pooled == rendered
    assert drawn.cpu > 0  # the workers' drawing time came back with the charts


def test_pool_workers_freeze_what_they_imported() -> None:
    """A chart worker's full garbage collections skip matplotlib's module objects."""
    with chartcache.worker_pool(1) as pool:
        frozen = pool.submit(gc.get_freeze_count).result()
    assert frozen > 10_000


def test_other_processes_and_hash_seeds_render_the_same_bytes(
    specs: dict[str, charts.ChartSpec], rendered: dict[str, bytes], tmp_path: Path
) -> None:
    (tmp_path / "specs.pickle").write_bytes(pickle.dumps(specs))
    script = (
        "import hashlib, json, pickle, sys\n"
        "from generator.site import draw\n"
        "specs = pickle.loads(open(sys.argv[1], 'rb').read())\n"
        "print(json.dumps({k: hashlib.sha256(draw.render_svg(s)).hexdigest()"
        " for k, s in sorted(specs.items())}))\n"
    )
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path / "specs.pickle")],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in ("1", "2")
    ]
    outputs = [json.loads(run.communicate(timeout=120)[0]) for run in runs]
    assert all(run.returncode == 0 for run in runs)
    expected = {k: hashlib.sha256(v).hexdigest() for k, v in rendered.items()}
    assert outputs == [expected, expected]


def test_hostile_text_is_escaped(specs: dict[str, charts.ChartSpec]) -> None:
    hostile = '<script>alert(1)</script> & "x" $5 and $6$'
    spec = dataclasses.replace(
        metric(specs, "M13"), title=hostile, unit="<b>", comparators=(("</svg>", 93.0, "&"),)
    )
    svg = draw.render_svg(spec)
    root = parse(svg)
    assert not [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] in ("script", "b")]
    assert root.findtext(f"{SVG}title") == hostile and hostile in texts(root)
    assert b"<script" not in svg and b"&lt;script&gt;" in svg


def test_split_metric_gets_one_panel_per_scope(assessment: Assessment, labels: Labels) -> None:
    result = assessment.metrics["M13"]
    (scope,) = result.scopes
    split = dataclasses.replace(result, scopes=(scope, dataclasses.replace(scope, scope="P1")))
    spec = charts.metric_chart(split, labels)
    assert [p.scope for p in spec.panels] == ["ENT", "P1"]
    assert "ENT: " in charts.alt_text(spec) and "P1: " in charts.alt_text(spec)
    root = parse(draw.render_svg(spec))
    assert {"ENT", "P1"} <= set(texts(root))


def test_legends_name_what_is_drawn(rendered: dict[str, bytes]) -> None:
    """The legends (plain artists, chartlayout.legend) keep every entry."""
    m13 = set(texts(parse(rendered["metrics/M13.svg"])))
    assert {"Target", "Centre line", "Control limits", "Value", "Missed target"} <= m13
    assert "Signal: beyond limits" in m13
    overview = set(texts(parse(rendered["charts/overview.svg"])))
    assert {"met", "partly met", "not met", "no evidence", "improving", "no data"} <= overview


# cache ---------------------------------------------------------------------------------------


def test_cache_reuses_invalidates_and_repairs(
    specs: dict[str, charts.ChartSpec], rendered: dict[str, bytes], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "abc.svg.x1y2.tmp").write_bytes(b"half a chart")
    small = {k: specs[k] for k in ("charts/findings.svg", "metrics/M11.svg")}
    first = chartcache.ChartStats()
    assert chartcache.render_charts(small, cache_dir=cache, stats=first) == {
        k: rendered[k] for k in sorted(small)
    }
    assert first.rendered == sorted(small) and not first.cached and first.cpu > 0
    assert not list(cache.glob("*.tmp"))

    second = chartcache.ChartStats()
    again = chartcache.render_charts(small, cache_dir=cache, stats=second)
    assert again == {k: rendered[k] for k in sorted(small)}
    assert second.cached == sorted(small) and not second.rendered and second.cpu == 0

    m11 = metric(specs, "M11")
    (panel,) = m11.panels
    edited = dataclasses.replace(panel, values=(*panel.values[:-1], panel.values[-1] + 1))
    changed = {**small, "metrics/M11.svg": dataclasses.replace(m11, panels=(edited,))}
    third = chartcache.ChartStats()
    result = chartcache.render_charts(changed, cache_dir=cache, stats=third)
    assert third.rendered == ["metrics/M11.svg"] and third.cached == ["charts/findings.svg"]
    assert result["metrics/M11.svg"] != rendered["metrics/M11.svg"]

    entry = cache / f"{chartcache.chart_key(specs['charts/findings.svg'])}.svg"
    entry.write_bytes(entry.read_bytes()[:500])
    fourth = chartcache.ChartStats()
    repaired = chartcache.render_charts(small, cache_dir=cache, stats=fourth)
    assert fourth.invalid == fourth.rendered == ["charts/findings.svg"]
    assert repaired["charts/findings.svg"] == rendered["charts/findings.svg"]
    assert entry.read_bytes() == rendered["charts/findings.svg"]


def test_charts_never_use_pyplot() -> None:
    sources = sorted((ROOT / "generator").rglob("*.py"))
    assert ROOT / "generator" / "site" / "draw.py" in sources
    for path in sources:
        assert "pyplot" not in path.read_text("utf-8"), path


@pytest.fixture(scope="module")
def every_kind(
    specs: dict[str, charts.ChartSpec], assessment: Assessment, labels: Labels
) -> dict[str, charts.ChartSpec]:
    """A chart of every kind: the sample's, a split metric (in Norwegian), its side-by-side
    chart and the journey."""
    result = assessment.metrics["M13"]
    (scope,) = result.scopes
    split = dataclasses.replace(result, scopes=(scope, dataclasses.replace(scope, scope="P1")))
    portfolio = assessment.portfolio
    kinds = dict(specs)
    kinds["split"] = charts.metric_chart(split, Labels("nb"))
    compare = comparechart.compare_chart(split, labels)
    assert compare is not None
    kinds["compare"] = compare
    journey = assess_journey(portfolio)
    kinds["journey"] = charts.journey_chart(journey, portfolio.config.categories, labels)
    return kinds


def test_tick_artists_draw_what_matplotlib_draws(
    every_kind: dict[str, charts.ChartSpec], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The charts draw their ticks as plain artists (`ticks.as_artists`, for speed) on plots
    that build no ticks (`ticks.Plot`) and place the axis labels themselves: every kind of
    chart comes out pixel for pixel as on matplotlib's own plots with its own ticks and its
    own placing of the axis labels."""
    ours = {name: draw.render_png(spec) for name, spec in every_kind.items()}
    for spec in every_kind.values():
        with draw.drawn(spec) as fig:  # matplotlib builds no ticks of its own
            axes = [axis for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)]
            assert not any(len(axis.get_majorticklocs()) for axis in axes)
    monkeypatch.setattr(chartlayout, "_ticks", lambda fig, ax: None)
    for plot in (Axes, ticks.Plot):  # a `Plot` builds ticks right when they are drawn
        monkeypatch.setattr(chartlayout, "PLOT", plot)
        for name, spec in every_kind.items():
            assert draw.render_png(spec) == ours[name], (plot, name)


def test_svg_canvas_writes_matplotlibs_bytes(
    every_kind: dict[str, charts.ChartSpec], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`svgcanvas.CanvasSVG` keeps text measures across charts (for speed): every kind of
    chart, drawn twice so the second draw is measured from the kept ones, gives the bytes
    matplotlib's own SVG canvas gives."""
    ours = {name: draw.render_svg(spec) for name, spec in every_kind.items()}
    assert {name: draw.render_svg(spec) for name, spec in every_kind.items()} == ours
    monkeypatch.setattr(draw, "CanvasSVG", FigureCanvasSVG)
    for name, spec in every_kind.items():
        assert draw.render_svg(spec) == ours[name], name
