"""Chart axes: month tick labels never collide or leave the figure, at 24 to 60 months and in
every language; tick numbers use the language's decimal sign."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from generator.site import charts, draw, ticks
from generator.site.i18n import LANGUAGES, Labels

LONG = "Sister program in the other building, night shift"  # 50 characters, the most kept


def months_from(first: str, count: int) -> tuple[str, ...]:
    year, month = int(first[:4]), int(first[5:])
    out = []
    for i in range(count):
        y, m = divmod(month - 1 + i, 12)
        out.append(f"{year + y:04d}-{m + 1:02d}")
    return tuple(out)


def metric_spec(first: str, count: int, language: str, scopes: int = 1) -> charts.MetricChart:
    """A metric chart with everything that prints text: two phases, signals, a low-n month, a
    long comparator and annotations; values wander around 80 % with one decimal."""
    labels = Labels(language)
    months = months_from(first, count)
    x = tuple(range(count))
    values = tuple(80 + ((i * 7) % 11 - 5) * 0.73 for i in x)
    half = count // 2
    panel = charts.PanelSpec(
        scope="ENT",
        x=x,
        values=values,
        missed=tuple(i for i in x if values[i] < 78),
        target=tuple(78.0 if i < half else 79.5 for i in x),
        band=tuple(None for _ in x),
        phases=(
            charts.PhaseSpec("Phase 1", 0, half - 1, 80.1, 75.2, 85.0),
            charts.PhaseSpec("Phase 2", half, count - 1, 80.3, 76.11, 84.49),
        ),
        signals=(
            charts.SignalSpec("run", "below", months[1], months[8], tuple(range(1, 9))),
            charts.SignalSpec("beyond-limits", "above", months[-1], months[-1], (count - 1,)),
        ),
        low_n=(charts.LowNSpec(count - 3, values[count - 3], 1234, 70.25, 88.5),),
        misses_by_year=((int(months[-1][:4]), 3, 12),),
        status=labels.word("improving"),
    )
    panels = tuple(
        panel if i == 0 else dataclasses.replace(panel, scope=f"P{i}") for i in range(scopes)
    )
    return charts.MetricChart(
        title="M99 A metric with a fairly long title to see the layout hold",
        unit="%",
        decimals=1,
        months=months,
        panels=panels,
        comparators=((LONG, 82.5, months[-1]), ("Industry", 79.25, months[-1][:4])),
        notes=tuple(
            charts.NoteSpec(i + 1, xi, labels.word("event"), "A process change " * 4)
            for i, xi in enumerate((0, half, count - 1))
        ),
        words=charts.metric_words(labels),
        language=language,
    )


def findings_spec(start: dt.date, as_of: dt.date, language: str) -> charts.FindingsChart:
    labels = Labels(language)
    keys = ("raised", "chart_findings_open", "chart_findings_closed", "as_of", "due", "count")
    return charts.FindingsChart(
        title=labels["findings"],
        start=start.isoformat(),
        as_of=as_of.isoformat(),
        raised=((start.isoformat(), 1), ((start + dt.timedelta(days=200)).isoformat(), 3)),
        closed=(((start + dt.timedelta(days=90)).isoformat(), 1),),
        due=(((as_of + dt.timedelta(days=40)).isoformat(), "F-09"),),
        words=tuple(sorted((k, labels[k]) for k in keys)),
        language=language,
    )


def tick_labels(fig: Figure, axis: str = "x") -> list[Text]:
    """The tick labels a reader sees on `axis` of every plot: visible, with text, on a
    visible plot. The charts draw them as texts of their own (`ticks.as_artists`); any
    matplotlib tick label left over counts too."""
    return [
        label
        for ax in fig.axes
        if ax.axison
        for label in [
            *(t for t in ax.texts if t.get_label() == f"{axis}tick"),
            *(ax.get_xticklabels() if axis == "x" else ax.get_yticklabels()),
        ]
        if label.get_visible() and label.get_text()
    ]


def check_fits(spec: charts.ChartSpec) -> list[str]:
    """Draw `spec` and return its tick label texts after checking them: no two overlap (one
    pixel apart at least), none crosses the figure's edge, none runs into a legend."""
    with draw.drawn(spec) as fig:
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        labels = tick_labels(fig)
        boxes = [label.get_window_extent(renderer) for label in labels]
        # the legend is drawn as plain artists (chartlayout.legend), its texts labelled
        legends = [t.get_window_extent(renderer) for t in fig.texts if t.get_label() == "legend"]
        edge = fig.bbox
    assert legends
    assert len(labels) >= 4
    names = [label.get_text() for label in labels]
    for (a, box_a), (b, box_b) in itertools.combinations(zip(names, boxes, strict=True), 2):
        assert not box_a.expanded(1, 1).padded(1).overlaps(box_b), (a, b)
    for name, box in zip(names, boxes, strict=True):
        assert edge.x0 <= box.x0 and box.x1 <= edge.x1, name
        assert edge.y0 <= box.y0 and box.y1 <= edge.y1, name
        assert not any(box.overlaps(legend) for legend in legends), name
    return names


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("first", "count"), [("2023-01", 24), ("2022-07", 30), ("2021-02", 36), ("2019-11", 60)]
)
def test_month_tick_labels_never_collide(first: str, count: int, language: str) -> None:
    names = check_fits(metric_spec(first, count, language))
    assert len(names) <= ticks.MAX_MONTH_TICKS
    assert not any(n.startswith(first[:4] + "-") for n in names)  # words, not ISO months


def test_split_metric_labels_the_bottom_panel_only() -> None:
    spec = metric_spec("2022-07", 30, "nb", scopes=2)
    names = check_fits(spec)
    assert names[0] == "jul\n2022" and "jan\n2023" in names and "okt" in names
    assert len(names) == len(ticks.month_ticks(spec.months, "nb"))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("years", [1, 3, 6])
def test_findings_month_ticks_fit(language: str, years: int) -> None:
    start = dt.date(2019, 5, 17)
    check_fits(findings_spec(start, start + dt.timedelta(days=365 * years), language))


@pytest.mark.parametrize(
    ("first", "count", "expected"),
    [
        ("2024-03", 5, ["Mar\n2024", "Apr", "May", "Jun", "Jul"]),
        ("2023-11", 3, ["Nov\n2023", "Dec", "Jan\n2024"]),
        ("2022-07", 30, ["Jul\n2022", "Oct", "Jan\n2023", "Apr", "Jul", "Oct", "Jan\n2024"]),
        ("2019-11", 60, ["Jan\n2020", "Jul", "Jan\n2021", "Jul", "Jan\n2022", "Jul"]),
        ("2010-01", 150, ["2010", "2012", "2014", "2016", "2018", "2020", "2022"]),
    ],
)
def test_month_tick_choice(first: str, count: int, expected: list[str]) -> None:
    chosen = ticks.month_ticks(months_from(first, count), "en")
    assert [label for _, label in chosen][: len(expected)] == expected
    assert len(chosen) <= ticks.MAX_MONTH_TICKS
    steps = {b - a for (a, _), (b, _) in itertools.pairwise(chosen)}
    assert len(steps) == 1  # evenly spaced


def test_month_tick_words_per_language() -> None:
    months = months_from("2024-08", 3)
    assert [t for _, t in ticks.month_ticks(months, "nb")] == ["aug\n2024", "sep", "okt"]
    assert [t for _, t in ticks.month_ticks(months, "es")] == ["ago\n2024", "sept", "oct"]


@pytest.mark.parametrize(
    ("values", "places"),
    [([90.0, 92.0, 94.0], 0), ([92.5, 93.0, 93.5], 1), ([0.25, 0.5, 0.75], 2), ([1 / 3], 6)],
)
def test_places_for_ticks(values: list[float], places: int) -> None:
    assert ticks.places_for(values) == places


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", ["1,000.0", "1,000.5"]), ("nb", ["1\u00a0000,0", "1\u00a0000,5"])],
)
def test_tick_numbers_use_the_language(language: str, expected: list[str]) -> None:
    formatter = ticks.NumberFormatter(language)
    formatter.set_locs([1000.0, 1000.5])
    assert [formatter(v) for v in (1000.0, 1000.5)] == expected


def test_drawn_y_axis_speaks_the_language() -> None:
    spec = metric_spec("2023-01", 24, "es")
    (panel,) = spec.panels
    small = dataclasses.replace(
        panel,
        values=tuple(1 + (x % 5) * 0.1 for x in panel.x),
        target=tuple(None for _ in panel.x),
        phases=(),
        signals=(),
        low_n=(),
    )
    with draw.drawn(dataclasses.replace(spec, panels=(small,), comparators=())) as fig:
        shown = [t.get_text() for t in tick_labels(fig, "y")]
    assert "1,2" in shown and not any("." in t for t in shown)
