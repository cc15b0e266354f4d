"""The glossary says what the code does: its numbers (the control-limit factor, the run
length, the trend length) are read off the rendered page and checked against the rules as the
assessment applies them, computed independently here. Metric pages list every signal on a
line of its own in plain words and link the glossary and the full-size chart."""

from __future__ import annotations

import itertools
import re
import statistics

import pytest

from generator.assess import metrics, stats
from generator.site.render import default_templates, render_pages

from .conftest import SAMPLE
from .test_render import site_data


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return render_pages(site_data(SAMPLE), [default_templates()])


def _number(page: str, heading: str) -> float:
    section = page[page.index(f"## {heading}") :]
    found = re.search(r"(\d+(?:\\\.\d+)?)", section.split("\n\n", 2)[1])
    assert found, section[:200]
    return float(found.group(1).replace("\\", ""))


def test_the_glossary_numbers_are_the_ones_the_assessment_applies(
    pages: dict[str, str],
) -> None:
    glossary = pages["glossary.md"]
    factor = _number(glossary, "Centre line and control limits")
    run = int(_number(glossary, "Run"))
    moves = int(_number(glossary, "Trend"))
    # control limits: mean ± factor × mean moving range, computed here
    values = [91.0, 93.5, 92.0, 90.5, 94.0, 92.5, 91.5, 93.0]
    ranges = [abs(b - a) for a, b in itertools.pairwise(values)]
    limits = stats.xmr_limits(values)
    assert limits is not None
    centre = statistics.fmean(values)
    assert limits.lower == pytest.approx(centre - factor * statistics.fmean(ranges))
    assert limits.upper == pytest.approx(centre + factor * statistics.fmean(ranges))
    # a run: `run` months on one side fire the rule, one fewer does not
    below, above = [9.0] * 4, [11.0]
    assert stats.runs(below + above * run + below, 10.0, metrics.RUN_LENGTH)
    assert not stats.runs(below + above * (run - 1) + below, 10.0, metrics.RUN_LENGTH)
    # a trend: `moves` changes in a row in one direction fire it, one fewer does not
    rising = [float(i) for i in range(moves + 1)]
    assert stats.trends([5.0, *rising, 0.0], metrics.TREND_MOVES)
    assert not stats.trends([5.0, *rising[:-1], 0.0], metrics.TREND_MOVES)


def test_a_metric_page_lists_each_signal_in_plain_words(pages: dict[str, str]) -> None:
    assessment = site_data(SAMPLE).assessment
    result = assessment.metrics["M13"]
    signals = [sig for s in result.scopes for p in s.phases for sig in p.signals]
    page = pages["metrics/M13.md"]
    section = page[page.index("**Signals**") : page.index("## Targets")]
    items = [line for line in section.splitlines() if line.startswith("- ")]
    assert len(items) == len(signals) == 5
    for item, sig in zip(items, signals, strict=True):
        assert item.startswith("- " + str(sig.start).replace("-", "\\-"))
        assert "control limit" in item or "months in a row" in item
        assert "beyond limits" not in item and "run of" not in item  # no jargon
    assert "](../glossary.md)" in section
    assert "[![" in page and "](M13.svg)](M13.svg)" in page  # the chart opens full size
    assert "× beyond" not in page
