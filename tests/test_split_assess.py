"""A split metric is assessed per scope, with its own targets and phases, and drawn per scope;
a past as-of date sees the evidence that existed then (issue: assessment 2).

tests/data/split is a Norwegian centre: K01 is reported for programs P1 and P2, P2's target is
raised from 2024, P1 alone starts a new phase in 2024-03, and one comparator is P1's only.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from generator.assess.lint import lint_assessment
from generator.assess.states import FreshnessState
from generator.assess.status import Assessment, assess_portfolio
from generator.portfolio.validate import validate_portfolio
from generator.site import charts, draw
from generator.site.i18n import Labels

from .conftest import DATA, SAMPLE


@pytest.fixture(scope="module")
def split() -> Assessment:
    portfolio, report = validate_portfolio(DATA / "split")
    assert portfolio is not None, report.diagnostics
    return assess_portfolio(portfolio)


def test_each_scope_is_judged_against_its_own_target(split: Assessment) -> None:
    p1, p2 = split.metrics["K01"].scopes
    assert (p1.scope, p2.scope) == ("P1", "P2")
    row = {str(r.period): r for r in p1.months}["2024-06"]
    assert row.target == 80  # the unscoped target
    row = {str(r.period): r for r in p2.months}["2024-06"]
    assert row.target == 85  # P2's own target wins from 2024
    assert {str(r.period): r for r in p2.months}["2023-06"].target == 80


def test_a_phase_start_applies_to_its_scope_only(split: Assessment) -> None:
    p1, p2 = split.metrics["K01"].scopes
    assert [str(p.start) for p in p1.phases][-1] == "2024-03"
    assert "2024-03" not in [str(p.start) for p in p2.phases]


def test_split_warnings_name_their_scope(split: Assessment) -> None:
    messages = [d.message for d in lint_assessment(split) if d.message.startswith("K01")]
    assert all(re.match(r"K01 P[12][ :]", m) for m in messages), messages
    assert len(messages) == len(set(messages))


def test_each_panel_is_drawn_with_its_own_comparators(split: Assessment) -> None:
    spec = charts.metric_chart(split.metrics["K01"], Labels("nb"))
    p1, p2 = spec.panels
    labels = [c[0] for c in spec.comparators]
    assert [labels[i] for i in p1.comparators] == ["P1 client's other vendor", "Budget"]
    assert [labels[i] for i in p2.comparators] == ["Budget"]
    assert draw.render_svg(spec).startswith(b"<?xml")
    assert charts.alt_text(spec).count("P1 client's other vendor") == 1


def test_a_past_as_of_counts_no_evidence_issued_later() -> None:
    portfolio, _ = validate_portfolio(SAMPLE)
    assert portfolio is not None
    as_of = dt.date(2024, 6, 30)
    result = assess_portfolio(portfolio, as_of)
    later = {eid for eid, e in portfolio.evidence.items() if e.date > as_of}
    assert later  # the sample has items issued after mid-2024
    for eid in later:
        item = portfolio.evidence[eid]
        earlier = [v for v in item.history if v.date <= as_of]
        state = result.evidence[eid].state
        assert state == (FreshnessState.CURRENT if earlier else FreshnessState.NOT_ISSUED), eid
    for status in result.requirements.values():
        counted = [
            e
            for e in portfolio.evidence_for(status.requirement.id)
            if result.evidence[e].state != FreshnessState.NOT_ISSUED
        ]
        assert (status.status == "no evidence") == (not counted)


def test_history_names_the_version_in_force(split: Assessment, tmp_path: Path) -> None:
    portfolio = split.portfolio
    item = portfolio.evidence["EV-01"]
    before_v2 = assess_portfolio(portfolio, dt.date(2023, 6, 30)).evidence["EV-01"]
    assert item.date > dt.date(2023, 6, 30)
    assert before_v2.state == FreshnessState.CURRENT
    assert before_v2.because.get("version") == "v1"
    too_early = assess_portfolio(portfolio, dt.date(2022, 1, 31)).evidence["EV-01"]
    assert too_early.state == FreshnessState.NOT_ISSUED
