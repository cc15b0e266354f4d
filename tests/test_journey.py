"""Readiness over the journey (issue 14): requirement status at every month end from the
portfolio's start to its as-of date, each month assessed as the portfolio stood then.

The sample runs from 2023-01 (its first month of metric data) to 2025-01-15: 24 month ends and
the as-of date. Every point is checked against the assessment itself (`assess_portfolio` with
that as-of date), and one month also through `certfolio assess --as-of --format json`, a
separate load and assessment; a generated portfolio (benchmarks/scale_gen.py) runs the same
checks and gives the same journey twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

from generator.assess.journey import (
    Journey,
    assess_journey,
    journey_csv,
    journey_dates,
    month_end,
)
from generator.assess.states import RequirementState
from generator.assess.status import assess_portfolio
from generator.cli import main
from generator.diagnostics import Report
from generator.engines.common import navigation
from generator.model import Month, Portfolio
from generator.portfolio.validate import validate_portfolio
from generator.site import charts, draw
from generator.site.build import generate_site
from generator.site.i18n import Labels
from generator.site.render import default_templates, render_pages

from .conftest import DATA, ROOT, SAMPLE
from .test_chart_legibility import LEAST_PX, _readable, shown_sizes
from .test_render import site_data

SMALL = {
    "programs": 3,
    "series": 12,
    "months": 30,
    "evidence": 40,
    "requirements": 20,
    "findings": 5,
}


def _load(root: Path) -> Portfolio:
    portfolio, report = validate_portfolio(root, Report())
    assert portfolio is not None, report.sorted()[:3]
    return portfolio


@pytest.fixture(scope="module")
def sample() -> Portfolio:
    return _load(SAMPLE)


@pytest.fixture(scope="module")
def journey(sample: Portfolio) -> Journey:
    return assess_journey(sample)


def _agrees_with_the_assessment(portfolio: Portfolio, journey: Journey) -> None:
    """Every point is the assessment as of its date: each requirement's status, the totals
    and the counts per category."""
    for k, point in enumerate(journey.points):
        assessment = assess_portfolio(portfolio, point.day)
        assert point.total == assessment.tally("requirements"), point.day
        assert point.categories == tuple((c.id, t) for c, t in assessment.categories)
        for rid, status in assessment.requirements.items():
            assert journey.statuses[rid][k] == status.status, (rid, point.day)


def test_the_sample_runs_from_its_first_month_of_data_to_the_as_of_date(
    sample: Portfolio, journey: Journey
) -> None:
    assert journey.as_of == dt.date(2025, 1, 15) == sample.config.as_of
    assert journey.start_from == "metrics"
    days = [p.day for p in journey.points]
    ends = [d for d in days if d == month_end(Month.of(d))]
    assert len(ends) == 24 and ends[0] == dt.date(2023, 1, 31) and ends[-1] == dt.date(2024, 12, 31)
    assert days == [*ends, dt.date(2025, 1, 15)]
    assert [p.partial for p in journey.points] == [False] * 24 + [True]
    assert [str(p.month) for p in journey.points][:2] == ["2023-01", "2023-02"]


def test_the_last_month_is_the_assessment_and_the_series_rises(
    sample: Portfolio, journey: Journey
) -> None:
    met = [p.total["met"] for p in journey.points]
    assert met[-1] == assess_portfolio(sample).tally("requirements")["met"] == 34
    assert met[0] < met[-1]
    assert met[0] == 0  # no evidence item was issued in 2023-01
    assert journey.points[0].total["no evidence"] == len(sample.requirements) == 38
    assert all(p.total.total == 38 for p in journey.points)


def test_every_point_is_the_assessment_as_of_its_date(sample: Portfolio, journey: Journey) -> None:
    _agrees_with_the_assessment(sample, journey)


def test_one_month_through_the_command_line(
    journey: Journey, capsys: pytest.CaptureFixture[str]
) -> None:
    """2024-06-30 through a separate load and assessment: `certfolio assess --as-of`."""
    k = [p.day for p in journey.points].index(dt.date(2024, 6, 30))
    main(["assess", str(SAMPLE), "--as-of", "2024-06-30", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert document["as_of"] == "2024-06-30"
    point = journey.points[k]
    readiness = document["readiness"]
    assert {s: readiness["requirements"][s] for s, _ in point.total.counts} == dict(
        point.total.counts
    )
    for category in readiness["categories"]:
        assert {s: category[s] for s, _ in point.total.counts} == dict(
            point.tally(category["id"]).counts
        )
    for row in document["requirements"]:
        assert journey.statuses[row["id"]][k] == row["status"], row["id"]
    assert 0 < point.total["met"] < journey.points[-1].total["met"]


def test_met_since_is_the_month_a_requirement_last_became_met(
    sample: Portfolio, journey: Journey
) -> None:
    months = list(journey.months)
    final = assess_portfolio(sample).requirements
    for rid, states in journey.statuses.items():
        since, until = journey.met_since(rid), journey.met_until(rid)
        if final[rid].status == RequirementState.MET:
            assert since is not None and until is None, rid
            k = months.index(since)
            assert all(s == RequirementState.MET for s in states[k:]), rid
            assert k == 0 or states[k - 1] != RequirementState.MET, rid
        else:
            assert since is None, rid
            assert (until is None) == (RequirementState.MET not in states), rid
    assert str(journey.met_since("LP-01")) == "2024-01"


def test_evidence_history_counts_from_its_first_version() -> None:
    """tests/data/split: EV-01's history names a v1 issued before the item's date."""
    portfolio = _load(DATA / "split")
    journey = assess_journey(portfolio)
    item = portfolio.evidence["EV-01"]
    first = min(v.date for v in item.history)
    assert first < item.date
    assert journey.points[0].month == Month.of(first)
    assert journey.start_from == "evidence"
    _agrees_with_the_assessment(portfolio, journey)
    k = next(i for i, p in enumerate(journey.points) if p.day >= first)
    for rid in item.supports:
        assert journey.statuses[rid][k] != RequirementState.NO_EVIDENCE, rid


def test_an_as_of_date_at_a_month_end_is_its_last_point(sample: Portfolio) -> None:
    dates = journey_dates(sample, dt.date(2024, 6, 30))
    assert [d for _, d in dates][-2:] == [dt.date(2024, 5, 31), dt.date(2024, 6, 30)]
    assert len(dates) == 18
    early = assess_journey(sample, dt.date(2022, 12, 15))  # before any record: one point
    assert [p.day for p in early.points] == [dt.date(2022, 12, 15)]
    assert early.start_from == "as_of"


@pytest.fixture
def scale_gen(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import scale_gen

    return scale_gen


def test_a_generated_portfolio_runs_and_is_deterministic(
    tmp_path: Path, scale_gen: ModuleType
) -> None:
    scale_gen.generate(tmp_path / "one", **SMALL)
    portfolio = _load(tmp_path / "one")
    journey = assess_journey(portfolio)
    assert len(journey.points) >= 30
    assert journey == assess_journey(portfolio)
    _agrees_with_the_assessment(portfolio, journey)
    scale_gen.generate(tmp_path / "two", **SMALL)
    assert assess_journey(_load(tmp_path / "two")) == journey


def test_the_chart_states_its_numbers_and_is_legible(sample: Portfolio, journey: Journey) -> None:
    for language in ("en", "nb", "es"):
        spec = charts.journey_chart(journey, sample.config.categories, Labels(language))
        assert len(spec.months) == 25 and len(spec.panels) == 1 + len(sample.config.categories)
        assert spec.panels[0][1][-1] == tuple(n for _, n in journey.points[-1].total.counts)
        svg = draw.render_svg(spec)
        assert svg == draw.render_svg(spec)
        sizes = shown_sizes(svg)
        assert sizes and min(px for _, px in sizes) >= LEAST_PX
        with draw.drawn(spec) as fig:  # no two texts overlap, none leaves the chart
            renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
            texts = _readable(fig)
            boxes = [t.get_window_extent(renderer) for t in texts]
            edge = fig.bbox
        for text, box in zip(texts, boxes, strict=True):
            inside = edge.x0 <= box.x0 <= box.x1 <= edge.x1 and edge.y0 <= box.y0 <= box.y1
            assert inside and box.y1 <= edge.y1, (language, text.get_text())
        for (a, box_a), (b, box_b) in itertools.combinations(zip(texts, boxes, strict=True), 2):
            assert not box_a.overlaps(box_b), (language, a.get_text(), b.get_text())
    text = charts.alt_text(charts.journey_chart(journey, sample.config.categories, Labels("en")))
    assert "Jan 2025: met 34, partly met 4" in text
    assert "Met by month: 0, 0, 0" in text and text.endswith(", 29, 34.")


def test_the_pages_show_the_journey(sample: Portfolio) -> None:
    pages = render_pages(site_data(SAMPLE), [default_templates()])
    page = pages["journey.md"]
    assert "(charts/journey.svg)" in page
    assert "| 2023-01 | 0 | 0 | 0 | 38 | 0 |" in page
    assert "| 2025-01 (as of 2025-01-15) | 34 | 4 | 0 | 0 | 89 |" in page
    assert page.count("| 2024-06 |") == 1 + len(sample.config.categories)
    assert "[Readiness over the journey](journey.md)" in pages["index.md"]
    assert "**Met since:** [2024-01](../journey.md)" in pages["requirements/LP-01.md"]
    partly = [r for r, s in assess_portfolio(sample).requirements.items() if s.status != "met"]
    assert partly
    for rid in partly:
        assert "**Met since:**" not in pages[f"requirements/{rid}.md"]


def test_the_csv_counts_each_months_statuses(sample: Portfolio, journey: Journey) -> None:
    """journey.csv against counts this test makes itself from each requirement's states."""
    rows = list(csv.DictReader(io.StringIO(journey_csv(journey))))
    categories = [c.id for c in sample.config.categories]
    assert len(rows) == len(journey.points) * (1 + len(categories))
    for k, point in enumerate(journey.points):
        for category in ["", *categories]:
            row = next(
                r for r in rows if (r["month"], r["category"]) == (str(point.month), category)
            )
            members = [
                rid for rid, r in sample.requirements.items() if category in ("", r.category)
            ]
            states = [str(journey.statuses[rid][k]) for rid in members]
            for state in ("met", "partly met", "not met", "no evidence"):
                assert int(row[state]) == states.count(state), (point.month, category, state)
            assert int(row["total"]) == len(members)
            met = 100 * states.count("met") / len(members) if members else 0.0
            assert row["percent_met"] == f"{met:.1f}"
            assert row["date"] == point.day.isoformat()
            assert row["partial"] == ("true" if point.partial else "false")
    assert rows[-1]["month"] == "2025-01" and rows[-1]["partial"] == "true"
    site, _ = generate_site(SAMPLE)
    assert site is not None
    assert site.files["journey.csv"] == journey_csv(journey).encode("utf-8")
    assert "[Download the data (CSV)](journey.csv)" in site.pages["journey.md"]


def test_the_navigation_lists_the_journey() -> None:
    pages = {"index.md": "", "portfolio.md": "", "journey.md": "", "categories/index.md": ""}
    nav = navigation(SimpleNamespace(pages=pages), Labels("en"), [])  # type: ignore[arg-type]
    assert {"Readiness over the journey": "journey.md"} in nav
