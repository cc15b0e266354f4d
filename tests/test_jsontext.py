"""`jsontext.dumps` writes exactly what `json.dumps(value, indent=2, ensure_ascii=False)`
writes, on generated values and on the sample's assessment document."""

from __future__ import annotations

import enum
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import jsontext
from generator.assess.export import assessment_document, assessment_json
from generator.assess.lint import readiness
from generator.assess.status import assess_portfolio
from generator.diagnostics import Report
from generator.portfolio.validate import validate_portfolio

from .conftest import SAMPLE


class Colour(enum.StrEnum):
    RED = "red"


class Size(enum.IntEnum):
    LARGE = 3


def standard(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.sampled_from([Colour.RED, Size.LARGE, "", "\u2028", '\x00\x1f"\\/', "é🙂"])
)
keys = st.text() | st.integers() | st.floats() | st.booleans() | st.none()
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(keys, inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(values)
def test_the_same_text_as_the_standard_library(value: Any) -> None:
    assert jsontext.dumps(value) == standard(value)


def test_what_json_cannot_write_is_refused_alike() -> None:
    for bad in ({"a": {1, 2}}, [object()], {(1, 2): "tuple key"}):
        with pytest.raises(TypeError):
            standard(bad)
        with pytest.raises(TypeError):
            jsontext.dumps(bad)


def test_the_assessment_document_is_written_as_the_standard_library_writes_it() -> None:
    portfolio, _ = validate_portfolio(SAMPLE, Report())
    assert portfolio is not None
    assessment = assess_portfolio(portfolio)
    lint = [r.diagnostic for r in readiness(assessment)]
    assert (
        assessment_json(assessment, lint) == standard(assessment_document(assessment, lint)) + "\n"
    )
