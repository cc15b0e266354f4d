"""The sample portfolio (evidence/): as specified, whole and valid."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from generator import model as m
from generator.diagnostics import Report
from generator.portfolio.schema import KINDS, schema
from generator.portfolio.validate import validate_portfolio

from .conftest import SAMPLE


@pytest.fixture(scope="module")
def sample() -> m.Portfolio:
    portfolio, report = validate_portfolio(SAMPLE)
    assert report.diagnostics == []
    assert portfolio is not None
    return portfolio


def test_counts(sample: m.Portfolio) -> None:
    assert len(sample.requirements) == 38
    assert len(sample.evidence) == 44
    assert len(sample.metrics) == 19
    assert len(sample.findings) == 5
    by_category: dict[str, int] = {}
    for requirement in sample.requirements.values():
        by_category[requirement.category] = by_category.get(requirement.category, 0) + 1
    assert by_category == {"LP": 8, "PR": 14, "PE": 9, "RS": 7}


def test_every_metric_has_24_months(sample: m.Portfolio) -> None:
    for metric in sample.metrics.values():
        periods = [str(o.period) for o in metric.observations]
        assert periods[0] == "2023-01" and periods[-1] == "2024-12" and len(periods) == 24


def test_backlinks_are_computed(sample: m.Portfolio) -> None:
    assert sample.evidence["EV-002"].supports == ("LP-01", "PE-09")
    assert "EV-002" in sample.evidence_for("LP-01")
    assert "EV-002" in sample.evidence_for("PE-09")
    assert sample.findings_for("PE-04") == ("F-03",)
    assert set(sample.findings_for("PR-08")) == {"F-04"}


def test_tabled_values_and_sample_sizes(sample: m.Portfolio) -> None:
    m13 = sample.metrics["M13"]
    assert [o.value for o in m13.observations[-4:]] == [91.8, 91.5, 91.2, 91.0]
    low = sorted(
        (metric.id, str(o.period), o.n)
        for metric in sample.metrics.values()
        if metric.sample
        for o in metric.observations
        if o.n is not None and o.n < metric.sample.planned_n
    )
    assert low == [("M07", "2023-08", 212), ("M08", "2023-08", 531), ("M10", "2024-12", 168)]


def test_stepped_targets(sample: m.Portfolio) -> None:
    for metric_id, before, after in (("M05", 75, 77), ("M09", 85, 86), ("M10", 35, 38)):
        metric = sample.metrics[metric_id]
        target_2023 = metric.target_for(m.Month(2023, 12))
        target_2024 = metric.target_for(m.Month(2024, 1))
        assert target_2023 is not None and target_2024 is not None
        assert (target_2023.value, target_2024.value) == (before, after)


def test_every_sample_file_names_its_schema() -> None:
    modeline = re.compile(r"# yaml-language-server: \$schema=(\S+)")
    for path in sorted(SAMPLE.rglob("*.yaml")):
        match = modeline.match(path.read_text("utf-8").splitlines()[0])
        assert match, path
        target = (path.parent / match.group(1)).resolve()
        assert target.is_file(), path
        assert target.name.removesuffix(".schema.json") in KINDS


def test_sample_files_satisfy_the_json_schema_as_an_editor_would() -> None:
    """What yaml-language-server would check, with a plain JSON Schema validator."""
    import yaml

    for path in sorted(SAMPLE.rglob("*.yaml")):
        kind = path.read_text("utf-8").splitlines()[0].rsplit("/", 1)[1].split(".")[0]
        data = json.loads(json.dumps(yaml.load(path.read_text("utf-8"), Loader=yaml.BaseLoader)))
        # BaseLoader reads every scalar as text, as YAML 1.2 editors do for dates
        errors = [
            e
            for e in jsonschema.Draft7Validator(schema(kind)).iter_errors(data)
            if e.validator
            not in ("type", "exclusiveMinimum", "exclusiveMaximum", "minimum", "maximum")
        ]
        assert errors == [], (path, [e.message for e in errors])


def test_validation_is_repeatable(tmp_path: Path) -> None:
    first = validate_portfolio(SAMPLE, Report())[0]
    second = validate_portfolio(SAMPLE, Report())[0]
    assert first == second
