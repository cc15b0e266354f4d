"""An evidence item's `history`: the earlier versions, read into `model.Version` records.

The problems (out of order, a repeated date, a date not before the item's own) are the case
tests/cases/evidence-history-problems.
"""

from __future__ import annotations

import datetime as dt

from generator import model as m
from generator.diagnostics import Span
from generator.portfolio.validate import validate_portfolio

from .conftest import DATA


def test_history_lists_the_earlier_versions_oldest_first() -> None:
    portfolio, report = validate_portfolio(DATA / "split")
    assert portfolio is not None, report.diagnostics
    item = portfolio.evidence["EV-01"]
    assert (item.version, item.date) == ("v3", dt.date(2024, 11, 1))
    assert item.history == (
        m.Version("v1", dt.date(2022, 5, 2), None, Span("split/evidence/EV-01.yaml", 8, 5)),
        m.Version(
            "v2",
            dt.date(2024, 3, 1),
            "P2 service level raised to 85 % from 2024.",
            Span("split/evidence/EV-01.yaml", 9, 5),
        ),
    )
    assert portfolio.evidence["EV-02"].history == ()


def test_items_without_history_have_an_empty_one() -> None:
    portfolio, _ = validate_portfolio(DATA / "minimal")
    assert portfolio is not None
    assert all(item.history == () for item in portfolio.evidence.values())
