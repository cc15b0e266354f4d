"""Tests for generator.assess.stats: the sample's reference values, worked examples, properties.

Reference tolerances: a number shown with d decimals must lie within half a unit of
the last decimal (plus 1e-9), i.e. it must round to what the table shows. This holds
for every ≈ p-value too, so no looser tolerance is needed.
"""

from __future__ import annotations

import math
import statistics
import warnings
from collections.abc import Callable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest, theilslopes

from generator.assess.stats import (
    Limits,
    Signal,
    beyond_limits,
    mann_kendall,
    met,
    nps_margin,
    proportion_margin,
    runs,
    sen_slope,
    trends,
    wilson_interval,
    xmr_limits,
)
from tests.stats_reference import EXPECTED, MISSES, TARGETS, VALUES

METRICS = sorted(EXPECTED)
PROPERTY = settings(derandomize=True, max_examples=300, deadline=None)


def period(index: int) -> str:
    """Index in the 24-month series (0 = 2023-01) as "YYYY-MM"."""
    return f"{2023 + index // 12}-{index % 12 + 1:02d}"


def close_to_shown(value: float, shown: str) -> bool:
    """Whether ``value`` rounds to ``shown`` (within half a unit of its last decimal)."""
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    return abs(value - float(shown)) <= 0.5 * 10.0**-decimals + 1e-9


def limits_of(values: Sequence[float]) -> Limits:
    """xmr_limits for a series known to have at least 2 points."""
    limits = xmr_limits(values)
    assert limits is not None
    return limits


# --- the sample's reference values -----------------------------------------------------


def test_reference_data_shape() -> None:
    assert sorted(VALUES) == METRICS == sorted(TARGETS) == sorted(MISSES)
    assert len(METRICS) == 16
    assert all(len(values) == 24 for values in VALUES.values())


@pytest.mark.parametrize("metric", METRICS)
def test_reference_misses(metric: str) -> None:
    direction, first, second = TARGETS[metric]
    values = VALUES[metric]
    if direction == "band":
        missed = [not met(v, "band", low=first, high=second) for v in values]
    else:
        missed = [
            not met(v, direction, target=first if i < 12 else second) for i, v in enumerate(values)
        ]
    assert (sum(missed[:12]), sum(missed[12:])) == MISSES[metric]


def test_reference_miss_totals() -> None:
    assert sum(m[0] for m in MISSES.values()) == 97
    assert sum(m[1] for m in MISSES.values()) == 18


@pytest.mark.parametrize("metric", METRICS)
def test_reference_means_and_2024_limits(metric: str) -> None:
    values, expected = VALUES[metric], EXPECTED[metric]
    assert close_to_shown(statistics.fmean(values[:12]), expected.mean_2023)
    assert close_to_shown(statistics.fmean(values[12:]), expected.mean_2024)
    assert close_to_shown(limits_of(values[:12]).centre, expected.mean_2023)
    limits = limits_of(values[12:])
    centre, lower, upper = expected.xmr_2024
    assert close_to_shown(limits.centre, centre)
    assert close_to_shown(limits.lower, lower)
    assert close_to_shown(limits.upper, upper)


@pytest.mark.parametrize("metric", METRICS)
def test_reference_signals_against_2023_baseline(metric: str) -> None:
    values, expected = VALUES[metric], EXPECTED[metric]
    baseline = limits_of(values[:12])
    in_2023 = beyond_limits(values[:12], baseline)
    assert tuple(period(s.start) for s in in_2023) == expected.beyond_2023
    assert len(beyond_limits(values[12:], baseline)) == expected.beyond_2023_in_2024
    found = [(period(s.reached), s.direction) for s in runs(values, baseline.centre, 8)]
    if expected.run_reached is None:
        assert found == []
    else:
        assert found == [(expected.run_reached, expected.run_side)]


@pytest.mark.parametrize("metric", METRICS)
def test_reference_signals_inside_2024_phase(metric: str) -> None:
    """Trends are found on all 24 points and belong to the phase in which they end.

    M06's 7-point rise starts 2023-07 and ends 2024-01, so it is invisible to a
    2024-only scan; trends ending in 2023 (none with 6 moves here) are not listed.
    """
    values, expected = VALUES[metric], EXPECTED[metric]
    phase = beyond_limits(values[12:], limits_of(values[12:]))
    assert tuple(period(12 + s.start) for s in phase) == expected.beyond_2024
    found = tuple((s.points, s.direction, period(s.end)) for s in trends(values, 6) if s.end >= 12)
    assert found == expected.trends_2024


def test_trend_across_phase_boundary_needs_whole_series() -> None:
    assert trends(VALUES["M06"][12:], 6) == []
    assert trends(VALUES["M06"], 6) == [Signal("trend", 6, 12, "rising", 12)]
    assert trends(VALUES["M13"], 6) == [Signal("trend", 16, 23, "falling", 22)]


@pytest.mark.parametrize("metric", METRICS)
def test_reference_mann_kendall_2024(metric: str) -> None:
    expected = EXPECTED[metric]
    result = mann_kendall(VALUES[metric][12:], tie_correction=False)  # how they were computed
    assert result is not None
    assert result.tendency == expected.mk_direction
    assert close_to_shown(result.p, expected.mk_p)
    assert close_to_shown(result.slope, expected.sen_slope)
    if float(expected.sen_slope) == 0.0:
        assert result.slope == 0.0


@pytest.mark.parametrize(
    ("continuity", "tie_correction", "reproduces"),
    [(True, False, True), (True, True, False), (False, False, False), (False, True, False)],
)
def test_only_continuity_without_tie_correction_reproduces_table(
    continuity: bool, tie_correction: bool, reproduces: bool
) -> None:
    def matches(metric: str) -> bool:
        result = mann_kendall(
            VALUES[metric][12:], continuity=continuity, tie_correction=tie_correction
        )
        assert result is not None
        return close_to_shown(result.p, EXPECTED[metric].mk_p)

    assert all(matches(metric) for metric in METRICS) == reproduces


def test_significant_trends_named_in_domain() -> None:
    m05 = mann_kendall(VALUES["M05"][12:], tie_correction=False)
    m10 = mann_kendall(VALUES["M10"][12:], tie_correction=False)
    assert m05 is not None and m10 is not None
    assert close_to_shown(m05.p, "0.001") and m05.direction == "up"
    assert close_to_shown(m10.p, "0.03") and m10.direction == "up"
    m08 = mann_kendall(VALUES["M08"][12:], tie_correction=False)
    assert m08 is not None and m08.tendency == "up" and m08.direction == "none"


def _brute_force_mann_kendall(values: list[float]) -> tuple[int, float, float]:
    """S, Var(S) and two-sided p of the textbook test, written out independently: ties
    grouped with a dictionary, continuity correction, the normal tail from math.erf."""
    n = len(values)
    s = 0
    for i in range(n):
        for j in range(i + 1, n):
            s += (values[j] > values[i]) - (values[j] < values[i])
    groups: dict[float, int] = {}
    for v in values:
        groups[v] = groups.get(v, 0) + 1
    var = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in groups.values())) / 18
    if s > 0:
        z = (s - 1) / var**0.5
    elif s < 0:
        z = (s + 1) / var**0.5
    else:
        z = 0.0
    p = 2 * (1 - 0.5 * (1 + math.erf(abs(z) / 2**0.5)))
    return s, var, p


TIED_SERIES = {
    # a monthly percentage reported to whole numbers: many ties
    "whole-percent": [81, 82, 82, 83, 82, 84, 84, 85, 84, 86, 86, 86],
    # the sample's M08 (2024) and M16 (2024), where the two variants differ
    "M08": [float(v) for v in VALUES["M08"][12:]],
    "M16": [float(v) for v in VALUES["M16"][12:]],
    "plateaus": [5, 5, 5, 6, 6, 6, 6, 7, 7, 5, 5, 8, 8, 8],
}


@pytest.mark.parametrize("name", sorted(TIED_SERIES))
def test_mann_kendall_default_is_the_tie_corrected_textbook_test(name: str) -> None:
    values = TIED_SERIES[name]
    s, var, p = _brute_force_mann_kendall(values)
    result = mann_kendall(values)
    assert result is not None
    assert result.s == s
    assert result.var_s == pytest.approx(var)
    assert result.p == pytest.approx(p, abs=1e-12)


def test_the_tie_correction_changes_the_sample_only_slightly() -> None:
    m08 = mann_kendall(VALUES["M08"][12:])
    m16 = mann_kendall(VALUES["M16"][12:])
    assert m08 is not None and m16 is not None
    assert round(m08.p, 2) == 0.38 and round(m16.p, 2) == 0.29


# --- margins and attainment -----------------------------------------------------------


def test_wilson_high_accuracy_example() -> None:
    lower, upper = wilson_interval(0.998, 640)
    assert (round(lower * 100, 2), round(upper * 100, 2)) == (99.05, 99.96)


@pytest.mark.parametrize(("n", "shown"), [(168, "10.5"), (550, "5.8")])
def test_nps_margin_examples(n: int, shown: str) -> None:
    assert close_to_shown(nps_margin(0.55, 0.12, n), shown)


@pytest.mark.parametrize(
    ("p_hat", "n", "points"),
    [
        (0.9, 8, "21"),  # a per-agent quality sample
        (0.9, 40, "9"),
        (0.5, 385, "5.0"),  # textbook sample-size examples, read back as margins
        (0.97, 280, "2.0"),
        (0.85, 545, "3.0"),
        (0.5, 1080, "3.0"),
        (0.78, 750, "3.0"),  # the sample's typical-n margins
        (0.98, 330, "1.5"),
        (0.86, 1700, "1.6"),
    ],
)
def test_proportion_margin_examples(p_hat: float, n: int, points: str) -> None:
    assert close_to_shown(proportion_margin(p_hat, n) * 100, points)


def test_margin_edges() -> None:
    assert proportion_margin(0.0, 10) == 0.0
    assert proportion_margin(1.0, 10) == 0.0
    assert nps_margin(0.0, 0.0, 10) == 0.0
    assert nps_margin(1.0, 0.0, 10) == 0.0
    assert wilson_interval(0.0, 10)[0] == 0.0
    assert wilson_interval(1.0, 10)[1] == 1.0


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (wilson_interval, (1.5, 10)),
        (wilson_interval, (0.5, 0)),
        (wilson_interval, (math.nan, 10)),
        (proportion_margin, (-0.1, 10)),
        (proportion_margin, (0.5, -3)),
        (nps_margin, (0.7, 0.4, 100)),
        (nps_margin, (0.5, 0.1, 0)),
    ],
)
def test_margin_rejects_bad_input(call: Callable[..., object], args: tuple[object, ...]) -> None:
    with pytest.raises(ValueError):
        call(*args)


@pytest.mark.parametrize(
    ("value", "direction", "bounds", "expected"),
    [
        (80.0, "higher", {"target": 80.0}, True),
        (79.99, "higher", {"target": 80.0}, False),
        (5.0, "lower", {"target": 5.0}, True),
        (5.01, "lower", {"target": 5.0}, False),
        (420.0, "band", {"low": 420.0, "high": 540.0}, True),
        (540.0, "band", {"low": 420.0, "high": 540.0}, True),
        (541.0, "band", {"low": 420.0, "high": 540.0}, False),
        (419.0, "band", {"low": 420.0, "high": 540.0}, False),
    ],
)
def test_met(value: float, direction: str, bounds: dict[str, float], expected: bool) -> None:
    assert met(value, direction, **bounds) is expected


@pytest.mark.parametrize(
    ("value", "direction", "bounds"),
    [
        (1.0, "higher", {}),
        (1.0, "lower", {"low": 0.0}),
        (1.0, "band", {"low": 0.0}),
        (1.0, "sideways", {"target": 1.0}),
        (math.nan, "higher", {"target": 1.0}),
        (1.0, "higher", {"target": math.inf}),
    ],
)
def test_met_rejects_bad_input(value: float, direction: str, bounds: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        met(value, direction, **bounds)


# --- short, constant and missing data -------------------------------------------------


def test_short_series() -> None:
    assert xmr_limits([]) is None
    assert xmr_limits([3.0]) is None
    assert mann_kendall([]) is None
    assert mann_kendall([1.0, 2.0]) is None
    assert sen_slope([1.0]) is None
    assert sen_slope([1.0, 3.0]) == 2.0
    assert runs([], 0.0) == []
    assert trends([]) == []
    assert trends([1.0]) == []


def test_constant_series() -> None:
    values = [7.5] * 12
    assert xmr_limits(values) == Limits(7.5, 0.0, 7.5, 7.5, 0.0)
    assert beyond_limits(values, limits_of(values)) == []
    assert runs(values, 7.5) == []
    assert trends(values) == []
    for tie_correction in (False, True):
        result = mann_kendall(values, tie_correction=tie_correction)
        assert result is not None
        assert (result.s, result.p, result.slope, result.direction) == (0, 1.0, 0.0, "none")


def test_point_on_centre_breaks_run() -> None:
    values = [1.0] * 4 + [0.0] + [1.0] * 8
    assert runs(values, 0.0, 8) == [Signal("run", 5, 12, "above", 12)]
    assert runs(values, 0.0, 4) == [
        Signal("run", 0, 3, "above", 3),
        Signal("run", 5, 12, "above", 8),
    ]


def test_tie_breaks_trend_and_turning_point_is_shared() -> None:
    values = [0.0, 1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 4.0, 3.0, 2.0]
    assert trends(values, 2) == [
        Signal("trend", 0, 2, "rising", 2),
        Signal("trend", 3, 6, "rising", 5),
        Signal("trend", 6, 9, "falling", 8),
    ]


BAD_VALUES = [math.nan, math.inf, -math.inf, None]
SERIES_FUNCTIONS: list[Callable[[list[float]], object]] = [
    xmr_limits,
    lambda v: beyond_limits(v, Limits(0.0, 1.0, -1.0, 1.0, 3.0)),
    lambda v: runs(v, 0.0),
    trends,
    mann_kendall,
    sen_slope,
]


@pytest.mark.parametrize("bad", BAD_VALUES)
@pytest.mark.parametrize("function", SERIES_FUNCTIONS)
def test_missing_values_raise(function: Callable[[list[float]], object], bad: object) -> None:
    values: list[object] = [1.0, 2.0, bad, 3.0]
    with pytest.raises(ValueError, match="index 2"):
        function(values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "kwargs"),
    [
        (runs, {"centre": 0.0, "length": 0}),
        (trends, {"moves": 0}),
        (mann_kendall, {"alpha": 0.0}),
        (runs, {"centre": math.nan}),
    ],
)
def test_bad_parameters_raise(call: Callable[..., object], kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        call([1.0, 2.0, 3.0], **kwargs)


# --- properties -------------------------------------------------------------------------

ties = st.lists(st.integers(-3, 3).map(float), max_size=30)
wide = st.lists(st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False), max_size=30)
moderate = st.lists(st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False), max_size=30)
series = st.one_of(ties, wide, moderate)
EDGES = [1.7976931348623157e308, 1e300, 1.0, 5e-324, 0.0, -5e-324, -1e-300, -1e300, -1.7e308]
anything = st.one_of(
    st.lists(st.sampled_from(EDGES), max_size=12),
    st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=3),
    st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=30),
    st.builds(
        lambda v, n: [v] * n, st.floats(allow_nan=False, allow_infinity=False), st.integers(0, 30)
    ),
    series,
)


@PROPERTY
@given(anything)
def test_never_crashes_or_warns(values: list[float]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        limits = xmr_limits(values)
        if limits is not None:
            assert limits.lower <= limits.centre <= limits.upper and limits.mr_bar >= 0
            for signal in beyond_limits(values, limits):
                assert 0 <= signal.start == signal.end < len(values)
        for signal in runs(values, 0.0, 3) + trends(values, 2):
            assert 0 <= signal.start <= signal.reached <= signal.end < len(values)
        result = mann_kendall(values)
        if result is not None:
            assert 0.0 <= result.p <= 1.0 and -1.0 <= result.tau <= 1.0
            assert math.isfinite(result.slope) and math.isfinite(result.z)


def fmean_reference(values: Sequence[float]) -> tuple[float, float]:
    """Centre and mR̄ with plain loops and statistics.fmean."""
    ranges = [abs(values[i] - values[i - 1]) for i in range(1, len(values))]
    return statistics.fmean(values), statistics.fmean(ranges)


@PROPERTY
@given(
    st.lists(
        st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False), min_size=2, max_size=30
    )
)
def test_xmr_matches_reference(values: list[float]) -> None:
    centre, mr_bar = fmean_reference(values)
    limits = limits_of(values)
    tolerance = 1e-9 * max(abs(v) for v in values) + 1e-320
    assert abs(limits.centre - centre) <= tolerance
    assert abs(limits.mr_bar - mr_bar) <= tolerance
    assert abs(limits.lower - (centre - 2.66 * mr_bar)) <= 10 * tolerance
    assert abs(limits.upper - (centre + 2.66 * mr_bar)) <= 10 * tolerance
    assert abs(limits.mr_upper - 3.267 * mr_bar) <= 10 * tolerance


def sign(value: float) -> int:
    return (value > 0) - (value < 0)


@PROPERTY
@given(series.filter(lambda v: len(v) >= 3))
def test_mann_kendall_matches_double_loop(values: list[float]) -> None:
    n = len(values)
    s = sum(sign(values[j] - values[i]) for i in range(n) for j in range(i + 1, n))
    result = mann_kendall(values, tie_correction=False)
    assert result is not None
    assert result.s == s
    assert result.var_s == pytest.approx(n * (n - 1) * (2 * n + 5) / 18)
    tied = mann_kendall(values)
    assert tied is not None
    assert tied.var_s == pytest.approx(_brute_force_mann_kendall(values)[1])
    assert result.tau == pytest.approx(s / (n * (n - 1) / 2))


@PROPERTY
@given(series.filter(lambda v: len(v) >= 2))
def test_sen_slope_is_median_of_pairwise_slopes(values: list[float]) -> None:
    n = len(values)
    slopes = [(values[j] - values[i]) / (j - i) for i in range(n) for j in range(i + 1, n)]
    expected = statistics.median(slopes)
    slope = sen_slope(values)
    assert slope is not None
    assert math.isclose(slope, expected, rel_tol=1e-12, abs_tol=1e-12 * max(map(abs, values)))


@PROPERTY
@given(st.lists(st.integers(-1000, 1000).map(float), min_size=2, max_size=30))
def test_sen_slope_matches_scipy(values: list[float]) -> None:
    slope = sen_slope(values)
    assert slope is not None
    assert slope == pytest.approx(float(theilslopes(values).slope), abs=1e-12)


def brute_runs(values: Sequence[float], centre: float, length: int) -> list[Signal]:
    """Every window of same-side points that cannot be extended; O(n³)."""
    side = [sign(v - centre) for v in values]
    n, found = len(values), []
    for start in range(n):
        for end in range(start + length - 1, n):
            window = set(side[start : end + 1])
            if window not in ({1}, {-1}):
                continue
            if (start > 0 and side[start - 1] == side[start]) or (
                end < n - 1 and side[end + 1] == side[end]
            ):
                continue
            direction = "above" if side[start] > 0 else "below"
            found.append(Signal("run", start, end, direction, start + length - 1))
    return found


def brute_trends(values: Sequence[float], moves: int) -> list[Signal]:
    """Every window of same-direction moves that cannot be extended; O(n³)."""
    step = [sign(values[k + 1] - values[k]) for k in range(len(values) - 1)]
    n, found = len(values), []
    for start in range(n):
        for end in range(start + moves, n):
            window = set(step[start:end])
            if window not in ({1}, {-1}):
                continue
            if (start > 0 and step[start - 1] == step[start]) or (
                end < n - 1 and step[end] == step[end - 1]
            ):
                continue
            direction = "rising" if step[start] > 0 else "falling"
            found.append(Signal("trend", start, end, direction, start + moves))
    return sorted(found, key=lambda s: s.start)


@PROPERTY
@given(series, st.integers(-3, 3).map(float), st.integers(1, 9))
def test_runs_match_brute_force(values: list[float], centre: float, length: int) -> None:
    assert runs(values, centre, length) == brute_runs(values, centre, length)


@PROPERTY
@given(series, st.integers(1, 7))
def test_trends_match_brute_force(values: list[float], moves: int) -> None:
    assert trends(values, moves) == brute_trends(values, moves)


@PROPERTY
@given(series, st.integers(-3, 3).map(float), st.integers(0, 4).map(float))
def test_beyond_limits_match_brute_force(values: list[float], centre: float, half: float) -> None:
    limits = Limits(centre, half / 2.66, centre - half, centre + half, 0.0)
    expected = [
        Signal("beyond-limits", i, i, "above" if v > limits.upper else "below", i)
        for i, v in enumerate(values)
        if v > limits.upper or v < limits.lower
    ]
    assert beyond_limits(values, limits) == expected


FLIP = {
    "above": "below",
    "below": "above",
    "rising": "falling",
    "falling": "rising",
    "up": "down",
    "down": "up",
    "none": "none",
}


def flipped(signals: list[Signal]) -> list[Signal]:
    return [Signal(s.rule, s.start, s.end, FLIP[s.direction], s.reached) for s in signals]


@PROPERTY
@given(series)
def test_negation_symmetry(values: list[float]) -> None:
    negated = [-v for v in values]
    limits, mirrored = xmr_limits(values), xmr_limits(negated)
    if limits is not None and mirrored is not None:
        assert (mirrored.centre, mirrored.lower, mirrored.upper) == (
            -limits.centre,
            -limits.upper,
            -limits.lower,
        )
        assert beyond_limits(negated, mirrored) == flipped(beyond_limits(values, limits))
        assert runs(negated, -limits.centre, 3) == flipped(runs(values, limits.centre, 3))
    assert trends(negated, 2) == flipped(trends(values, 2))
    result, opposite = mann_kendall(values), mann_kendall(negated)
    if result is not None and opposite is not None:
        assert (opposite.s, opposite.slope, opposite.z) == (-result.s, -result.slope, -result.z)
        assert opposite.p == result.p
        assert opposite.direction == FLIP[result.direction]


@PROPERTY
@given(st.integers(1, 3000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_matches_scipy(k_n: tuple[int, int]) -> None:
    k, n = k_n
    lower, upper = wilson_interval(k / n, n)
    reference = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert lower == pytest.approx(float(reference.low), abs=1e-12)
    assert upper == pytest.approx(float(reference.high), abs=1e-12)
    assert lower <= k / n <= upper
