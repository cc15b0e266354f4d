"""The VMO example (examples/vmo): a buyer's vendor-management office governing three
outsourcers. It validates without a warning, assesses to the statuses its story tells, and its
site builds with MkDocs (strict: any warning fails) with every internal link resolving. Its
supplier scorecards and the comparison page link both ways with the metrics and findings, a
split metric's side-by-side chart has one y-axis, and the ranking and the per-scope table are
pinned against figures computed here from the CSV and YAML files directly.
"""

from __future__ import annotations

import csv
import dataclasses
import shutil
import statistics
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from generator.assess import vendors
from generator.assess.status import Assessment, assess_portfolio
from generator.engines.common import in_navigation, navigation
from generator.engines.mkdocs import build_site
from generator.model import Portfolio
from generator.portfolio.validate import validate_portfolio
from generator.site import comparechart, draw
from generator.site.build import Site, generate_site
from generator.site.i18n import Labels

from .conftest import ROOT, SAMPLE
from .test_chart_legibility import LEAST_PX, shown_sizes
from .test_site import site_links

EXAMPLE = ROOT / "examples" / "vmo"
PORTFOLIO = EXAMPLE / "portfolio"
SUPPLIERS = ("NDS", "BGO", "SMX")
WINDOW = [f"2024-{m:02d}" for m in range(1, 13)]  # as_of 2025-01-15: the last 12 full months


@pytest.fixture(scope="module")
def vmo() -> Portfolio:
    portfolio, report = validate_portfolio(PORTFOLIO)
    assert portfolio is not None, [str(d) for d in report.diagnostics]
    return portfolio


@pytest.fixture(scope="module")
def assessment(vmo: Portfolio) -> Assessment:
    return assess_portfolio(vmo)


@pytest.fixture(scope="module")
def pages() -> Site:
    site, report = generate_site(PORTFOLIO, workers=1)
    assert site is not None, report.diagnostics
    return site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The example's own mkdocs.yml, built from a copy (its cache stays in the copy)."""
    tmp = tmp_path_factory.mktemp("vmo")
    project = tmp / "examples" / "vmo"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("site", ".cache"))
    result = build_site(project / "mkdocs.yml", tmp / "site")
    assert result.problems == []
    yield tmp / "site"


# --- independent figures, from the files themselves ----------------------------------------


def _definition(metric: str) -> dict[str, object]:
    loaded: dict[str, object] = yaml.safe_load(
        (PORTFOLIO / "metrics" / f"{metric}.yaml").read_text("utf-8")
    )
    return loaded


def _rows(metric: str) -> list[dict[str, str]]:
    with (PORTFOLIO / "metrics" / f"{metric}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _target(definition: dict[str, object], month: str, scope: str) -> float:
    """The target in force: one naming the scope wins over one naming none."""
    covering = [
        t
        for t in definition["targets"]  # type: ignore[attr-defined]
        if str(t["from"]) <= month and ("to" not in t or month <= str(t["to"]))
    ]
    own = [t for t in covering if t.get("scope") == scope]
    return float((own or [t for t in covering if "scope" not in t])[0]["value"])


def window_figures(metric: str) -> dict[str, dict[str, float]]:
    """Per scope over the window: months met, attainment, mean and total n."""
    definition = _definition(metric)
    higher = definition["direction"] == "higher"
    found: dict[str, dict[str, float]] = {}
    for scope in definition["scope"]:  # type: ignore[union-attr]
        rows = [r for r in _rows(metric) if r["scope"] == scope and r["period"] in WINDOW]
        assert len(rows) == 12
        values = [float(r["value"]) for r in rows]
        targets = [_target(definition, r["period"], scope) for r in rows]
        met = sum((v >= t) if higher else (v <= t) for v, t in zip(values, targets, strict=True))
        found[scope] = {
            "met": met,
            "attainment": met / 12,
            "mean": statistics.fmean(values),
            "n": sum(int(r["n"]) for r in rows) if "n" in rows[0] else -1,
        }
    return found


def expected_order(metric: str) -> list[str]:
    higher = _definition(metric)["direction"] == "higher"
    figures = window_figures(metric)
    return sorted(
        figures,
        key=lambda s: (
            -figures[s]["attainment"],
            -figures[s]["mean"] if higher else figures[s]["mean"],
        ),
    )


# --- validate, assess, build ----------------------------------------------------------------


def test_the_example_validates_without_a_warning() -> None:
    portfolio, report = validate_portfolio(PORTFOLIO)
    assert portfolio is not None
    assert [str(d) for d in report.diagnostics] == []
    assert portfolio.config.organisation_type == "VMO"
    assert tuple(u.id for u in portfolio.config.scope if u.kind == "supplier") == SUPPLIERS
    assert 8 <= len(portfolio.metrics) <= 10
    split = [m for m in portfolio.metrics.values() if set(m.scope) & set(SUPPLIERS)]
    assert len(split) >= 5
    for metric in portfolio.metrics.values():  # 24 months for every scope
        for scope in metric.scope:
            assert len([o for o in metric.observations if o.scope == scope]) == 24
    against = {f.id: f.scope for f in portfolio.findings.values()}
    assert against["VF-01"] == ("BGO",) and against["VF-02"] == ("SMX",)
    types = {e.type for e in portfolio.evidence.values() if set(e.scope) & set(SUPPLIERS)}
    assert {"minutes", "audit-report", "contract"} <= types  # reviews, audits, contract changes


def test_the_example_assesses_to_its_story(assessment: Assessment) -> None:
    requirements = assessment.tally("requirements")
    assert (requirements["met"], requirements["partly met"], requirements["not met"]) == (15, 4, 0)
    statuses = {mid: r.status for mid, r in assessment.metrics.items()}
    assert statuses["V01"] == "not met"  # Bramblegate's summer 2024 (VF-01)
    assert statuses["V07"] == "improving"  # Bramblegate's attrition falling
    scopes = {s.scope: s.verdict.status for s in assessment.metrics["V07"].scopes}
    assert scopes == {"NDS": "met", "BGO": "improving", "SMX": "met"}


def test_the_sample_keeps_its_statuses() -> None:
    portfolio, _ = validate_portfolio(SAMPLE)
    assert portfolio is not None
    tally = assess_portfolio(portfolio).tally("requirements")
    assert (tally["met"], tally["partly met"]) == (34, 4)


def test_the_example_builds_and_every_internal_link_resolves(site: Path) -> None:
    assert (site / "index.html").is_file()
    assert (site / "about-this-example.html").is_file()
    links = site_links(site)
    assert sum(len(v) for v in links.values()) > 1000


def test_supplier_pages_and_the_comparison_link_both_ways(
    site: Path, assessment: Assessment
) -> None:
    links = site_links(site)
    index, comparison = Path("suppliers/index.html"), Path("suppliers/comparison.html")
    assert {Path(f"suppliers/{s}.html") for s in SUPPLIERS} <= links[index]
    assert comparison in links[index]
    for card in vendors.scorecards(assessment):
        page = Path(f"suppliers/{card.supplier.id}.html")
        assert card.metrics and card.findings and card.evidence, card.supplier.id
        for item in card.metrics:
            metric = Path(f"metrics/{item.result.metric.id}.html")
            assert metric in links[page], (page, metric)
            assert page in links[metric], (metric, page)  # and back
        for status in card.findings:
            finding = Path(f"findings/{status.finding.id}.html")
            assert finding in links[page] and page in links[finding], (page, finding)
        for fresh in card.evidence:
            evidence = Path(f"evidence/{fresh.evidence.id}.html")
            assert evidence in links[page] and page in links[evidence], (page, evidence)
        assert comparison in links[page]
        assert page in links[Path("portfolio.html")]  # the About page names its suppliers
    for ranking in vendors.rankings(assessment):
        metric = Path(f"metrics/{ranking.metric.id}.html")
        assert metric in links[comparison] and comparison in links[metric]
        for row in ranking.rows:
            assert Path(f"suppliers/{row.supplier}.html") in links[comparison]


def test_scorecards_are_in_the_navigation_of_a_vmo_only(pages: Site) -> None:
    nav = navigation(pages, Labels("en"), [])
    assert {"Supplier scorecards": ["suppliers/index.md", "suppliers/comparison.md"]} in nav
    assert {"Results by scope": "scopes.md"} in nav
    assert not in_navigation("suppliers/NDS.md") and in_navigation("suppliers/comparison.md")
    sample, _ = generate_site(SAMPLE, workers=1)
    assert sample is not None
    assert not [p for p in sample.pages if p.startswith("suppliers/")]
    sample_nav = navigation(sample, Labels("en"), [])
    assert not any(
        "Supplier scorecards" in entry for entry in sample_nav if isinstance(entry, dict)
    )
    assert {"Results by scope": "scopes.md"} in sample_nav  # every portfolio gets the table


# --- side by side ---------------------------------------------------------------------------


def test_a_split_metric_chart_has_one_y_axis(assessment: Assessment, pages: Site) -> None:
    spec = comparechart.compare_chart(assessment.metrics["V04"], Labels("en"))
    assert spec is not None and spec.layout == "overlay"
    assert [name for name, _ in spec.series] == list(SUPPLIERS)
    every = [v for _, values in spec.series for v in values if v is not None]
    assert spec.ylim[0] < min(every) and max(every) < spec.ylim[1]
    with draw.drawn(spec) as fig:
        assert len(fig.axes) == 1  # one plot, one y-axis, every supplier on it
        assert fig.axes[0].get_ylim() == pytest.approx(spec.ylim)
    svg = pages.files["metrics/V04-compare.svg"].decode("utf-8")
    assert svg.count('id="matplotlib.axis_2"') == 1  # the SVG's only y-axis
    assert "](V04-compare.svg)" in pages.pages["metrics/V04.md"]
    assert comparechart.compare_chart(assessment.metrics["V09"], Labels("en")) is None


def test_many_scopes_are_small_multiples_on_one_scale(assessment: Assessment) -> None:
    result = assessment.metrics["V04"]
    scopes = tuple(
        dataclasses.replace(s, scope=f"{s.scope}{k}") for k in (1, 2) for s in result.scopes
    )
    spec = comparechart.compare_chart(dataclasses.replace(result, scopes=scopes), Labels("en"))
    assert spec is not None and spec.layout == "multiples" and len(spec.series) == 6
    with draw.drawn(spec) as fig:
        assert len(fig.axes) == 6
        for ax in fig.axes:
            assert ax.get_ylim() == pytest.approx(spec.ylim)


def test_the_side_by_side_charts_are_legible(pages: Site) -> None:
    charts = {p: c for p, c in pages.files.items() if p.endswith("-compare.svg")}
    assert sorted(charts) == [f"metrics/V0{i}-compare.svg" for i in range(1, 9)]
    for path, svg in charts.items():
        small = [(t, round(px, 2)) for t, px in shown_sizes(svg) if px < LEAST_PX]
        assert not small, (path, small)


def _cells(page: str, first: str) -> list[str]:
    """The cells of the table row of `page` whose first cell contains `first`."""
    for line in page.splitlines():
        if line.startswith("|") and first in line.split("|")[1]:
            return [c.strip() for c in line.strip().strip("|").split("|")]
    raise AssertionError(first)


@pytest.mark.parametrize("metric", ["V01", "V04", "V06"])
def test_the_per_scope_table_matches_the_data(pages: Site, metric: str) -> None:
    page = pages.pages[f"metrics/{metric}.md"]
    side = page[page.index("## Side by side") : page.index("## Evaluation")]
    decimals = int(_definition(metric)["decimals"])  # type: ignore[call-overload]
    for scope, f in window_figures(metric).items():
        cells = _cells(side, f"`{scope}`")
        assert cells[2] == f"{int(f['met'])} / 12"
        assert cells[3] == f"{round(f['attainment'] * 100)}%"
        assert cells[4] == f"{f['mean']:.{decimals}f}"
        if f["n"] >= 0:
            assert cells[5] == f"{int(f['n']):,}"


def test_the_results_by_scope_table_reads_without_colour(pages: Site) -> None:
    table = pages.pages["scopes.md"]
    assert "| Metric | QVMO | CLAIMS | POLICY | NDS | BGO | SMX |" in table
    row = _cells(table, "V07 ")
    assert row[4:] == [
        '<span class="cf-status cf-met">✔ met</span>',
        '<span class="cf-status cf-improving">↗ improving</span>',
        '<span class="cf-status cf-met">✔ met</span>',
    ]
    assert row[1] == "–"  # not reported for the entity


# --- the ranking ----------------------------------------------------------------------------


RANKED = {
    "V01": ["NDS", "BGO"],
    "V02": ["NDS", "BGO"],
    "V03": ["SMX", "BGO"],
    "V04": ["NDS", "BGO", "SMX"],
    "V05": ["SMX", "NDS", "BGO"],
    "V06": ["SMX", "NDS", "BGO"],
    "V07": ["NDS", "SMX", "BGO"],
}


def test_the_ranking_matches_an_independent_computation(assessment: Assessment) -> None:
    rankings = {r.metric.id: r for r in vendors.rankings(assessment)}
    assert sorted(rankings) == sorted(RANKED)
    for metric, order in RANKED.items():
        assert expected_order(metric) == order, metric
        ranking = rankings[metric]
        assert [row.supplier for row in ranking.rows] == order
        assert [row.rank for row in ranking.rows] == list(range(1, len(order) + 1))
        figures = window_figures(metric)
        for row in ranking.rows:
            f = figures[row.supplier]
            assert (row.figures.met, row.figures.months) == (f["met"], 12)
            assert row.figures.mean == pytest.approx(f["mean"])


def test_the_comparison_shows_its_caveats(assessment: Assessment, pages: Site) -> None:
    rankings = {r.metric.id: r for r in vendors.rankings(assessment)}
    for metric in ("V04", "V05"):  # sampled: window totals more than twice apart
        sizes = [f["n"] for f in window_figures(metric).values()]
        assert max(sizes) >= 2 * min(sizes)
        assert rankings[metric].sample_sizes == (min(sizes), max(sizes))
    assert rankings["V03"].definitions == ("BGO", "SMX")  # both count the time their own way
    assert rankings["V05"].definitions == ("SMX",)  # a 3-point chat question
    assert not rankings["V01"].caveats
    page = pages.pages["suppliers/comparison.md"]
    v05 = page[page.index("## V05") : page.index("## V06")]
    assert "Sample sizes differ" in v05 and "Definitions differ: SMX" in v05
    assert [_cells(v05, str(k))[1] for k in (1, 2, 3)] == [
        f"[{name} (`{sid}`)](../suppliers/{sid}.md)"
        for sid, name in (
            ("SMX", "Saltmarsh CX Partners"),
            ("NDS", "Northdesk Contact Services"),
            ("BGO", "Bramblegate Outsourcing"),
        )
    ]
    assert "None found" in page[page.index("## V01") : page.index("## V02")]


def test_a_scorecard_shows_contract_metrics_findings_and_governance(pages: Site) -> None:
    page = pages.pages["suppliers/BGO.md"]
    assert "| Contract term | 2023-01-01 – 2025-12-31 |" in page
    v01 = _cells(page, "V01 Service level")
    assert v01[2:5] == ["8 / 12", "67%", "79.8"] and v01[6] == "80.0"
    assert "[2 of 2](../suppliers/comparison.md)" in v01[9]
    assert "[VF\\-01 " in page
    for heading in ("Business reviews", "Audits of the supplier", "Contract and contract changes"):
        assert f"### {heading}" in page
    assert "EV-123.md" in page and "EV-126.md" in page and "EV-113.md" in page


def test_a_band_metric_side_by_side_shows_each_band(tmp_path: Path) -> None:
    root = tmp_path / "split"
    shutil.copytree(ROOT / "tests" / "data" / "split", root)
    metric = root / "metrics" / "K01.yaml"
    text = metric.read_text("utf-8").replace("direction: higher", "direction: band")
    text = text.replace("    value: 80\n", "    low: 78\n    high: 86\n")
    metric.write_text(text.replace("    value: 85\n", "    low: 80\n    high: 88\n"), "utf-8")
    portfolio, report = validate_portfolio(root)
    assert portfolio is not None, [str(d) for d in report.diagnostics]
    spec = comparechart.compare_chart(assess_portfolio(portfolio).metrics["K01"], Labels("en"))
    assert spec is not None and spec.layout == "overlay"
    assert spec.ylim[0] < 78 and spec.ylim[1] > 88  # both bands on the one scale
    alt = comparechart.compare_alt(spec)
    assert "P1: " in alt and "Target band 78–86%" in alt and "Target band 80–88%" in alt
    with draw.drawn(spec) as fig:
        assert len(fig.axes) == 1
