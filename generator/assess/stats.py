"""Pure statistics for metric evidence: XmR limits, signal rules, trend tests, margins.

Every function here is pure: no I/O, no global state, no warnings. Series are sequences
of floats in time order, and every index in a result is a position in the input.

Missing data: callers drop missing months before calling. A series that still contains
``None``, NaN or an infinity is rejected with :class:`ValueError` (never filtered), so a
gap can never shift the indices a caller maps back to periods.

Magnitudes: series beyond about 1e289 are rescaled by a power of two before any
arithmetic, so values anywhere in the finite float range give no overflow warnings.
A result too large to represent (say an upper limit above 1.8e308) comes back as ``inf``.

The sample's reference values (``tests/stats_reference.py``) are reproduced by (see
``tests/test_stats.py``):

* XmR: centre = mean, mR̄ = mean moving range, limits = centre ± 2.66·mR̄.
* Beyond limits: strictly outside ``[lower, upper]``.
* Run: ≥ 8 consecutive points strictly on one side of the centre, over the whole series.
* Trend: ≥ 6 consecutive strictly rising (or falling) moves, i.e. ≥ 7 points, over the
  whole series; a tie ends the run. A trend belongs to the phase in which it ends.
* Mann-Kendall: normal approximation with continuity correction and without tie
  correction; Sen's slope per step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Z95 = 1.959963984540054
"""Two-sided 95 % standard normal quantile."""

XMR_LIMIT_FACTOR = 2.66
XMR_RANGE_FACTOR = 3.267

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Limits:
    """XmR (individuals and moving range) chart limits."""

    centre: float
    mr_bar: float
    lower: float
    upper: float
    mr_upper: float


@dataclass(frozen=True)
class Signal:
    """One special-cause signal; indices are inclusive positions in the input series.

    ``rule`` is ``"beyond-limits"``, ``"run"`` or ``"trend"``. ``direction`` is
    ``"above"``/``"below"`` for beyond-limits and run, ``"rising"``/``"falling"`` for
    trend. ``reached`` is the index at which the rule first fired: the point itself for
    beyond-limits, ``start + length - 1`` for a run (the reference's "run of 8 ... reached
    2024-09"), ``start + moves`` for a trend. ``end`` is the last index of the maximal
    run, so ``end - start + 1`` is the number of points involved.
    """

    rule: str
    start: int
    end: int
    direction: str
    reached: int

    @property
    def points(self) -> int:
        """Number of points covered by the signal."""
        return self.end - self.start + 1


@dataclass(frozen=True)
class TrendTest:
    """Mann-Kendall trend test with Sen's slope.

    ``tau`` is Kendall's tau-a, ``S / (n(n-1)/2)``. ``slope`` is Sen's slope per step.
    ``direction`` is ``"up"``/``"down"`` only when ``p < alpha``, else ``"none"``.
    """

    s: int
    var_s: float
    z: float
    p: float
    tau: float
    slope: float
    direction: str

    @property
    def tendency(self) -> str:
        """Direction from the sign of S alone, whatever p is (as the reference values report it)."""
        if self.s > 0:
            return "up"
        if self.s < 0:
            return "down"
        return "none"


def _series(values: Sequence[float]) -> FloatArray:
    """Check a series and return it as a float array; raise ValueError on gaps."""
    for index, value in enumerate(values):
        if value is None or not math.isfinite(value):
            raise ValueError(
                f"value at index {index} is {value!r}; drop missing months before calling"
            )
    return np.asarray(values, dtype=np.float64)


def _finite(name: str, value: float) -> float:
    """Return ``value`` as a float, raising ValueError if it is None, NaN or infinite."""
    if value is None or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


_SAFE_MAGNITUDE = math.ldexp(1.0, 960)
"""Below this, sums of up to 2**60 values and 2.66·ranges cannot overflow."""


def _scaled(x: FloatArray) -> tuple[FloatArray, float]:
    """Divide very large series by a power of two so that every ``|x| < 2``.

    Series with ``max|x| <= 2**960`` (about 1e289) are returned unchanged with scale 1,
    so ordinary data give bit-for-bit the unscaled results.
    """
    biggest = float(np.max(np.abs(x))) if x.size else 0.0
    if biggest <= _SAFE_MAGNITUDE:
        return x, 1.0
    scale = math.ldexp(1.0, math.frexp(biggest)[1] - 1)
    return x / scale, scale


def _compare(a: FloatArray, b: FloatArray) -> npt.NDArray[np.int64]:
    """Elementwise sign(a - b) as -1/0/1, without computing a - b (which may overflow)."""
    return (a > b).astype(np.int64) - (a < b).astype(np.int64)


def xmr_limits(values: Sequence[float]) -> Limits | None:
    """XmR limits from all ``values`` (the baseline); None for fewer than 2 points.

    centre = mean, mR̄ = mean of ``|x_i - x_{i-1}|``, limits = centre ± 2.66·mR̄,
    mR upper limit = 3.267·mR̄ (its lower limit is 0).
    """
    x = _series(values)
    if x.size < 2:
        return None
    xs, scale = _scaled(x)
    centre = float(np.mean(xs))
    mr_bar = float(np.mean(np.abs(np.diff(xs))))
    return Limits(
        centre=scale * centre,
        mr_bar=scale * mr_bar,
        lower=scale * (centre - XMR_LIMIT_FACTOR * mr_bar),
        upper=scale * (centre + XMR_LIMIT_FACTOR * mr_bar),
        mr_upper=scale * (XMR_RANGE_FACTOR * mr_bar),
    )


def beyond_limits(values: Sequence[float], limits: Limits) -> list[Signal]:
    """One signal per point strictly above ``limits.upper`` or strictly below ``lower``.

    A point exactly on a limit is not a signal. ``limits`` may come from another phase
    (e.g. 2023 baseline limits applied to the 2024 points).
    """
    x = _series(values)
    signals: list[Signal] = []
    for index, value in enumerate(x.tolist()):
        if value > limits.upper:
            signals.append(Signal("beyond-limits", index, index, "above", index))
        elif value < limits.lower:
            signals.append(Signal("beyond-limits", index, index, "below", index))
    return signals


def _maximal_runs(labels: Sequence[int], length: int) -> list[tuple[int, int, int]]:
    """Maximal runs of equal non-zero labels at least ``length`` long: (start, end, label)."""
    found: list[tuple[int, int, int]] = []
    start = 0
    for index in range(1, len(labels) + 1):
        if index < len(labels) and labels[index] == labels[start]:
            continue
        if labels[start] != 0 and index - start >= length:
            found.append((start, index - 1, labels[start]))
        start = index
    return found


def runs(values: Sequence[float], centre: float, length: int = 8) -> list[Signal]:
    """Maximal runs of at least ``length`` consecutive points strictly on one side of ``centre``.

    A point exactly on the centre belongs to neither side and breaks the run. Each run
    is one signal: ``start``/``end`` are its first and last index and ``reached`` is
    ``start + length - 1``, where the rule first fires.
    """
    if length < 1:
        raise ValueError(f"length must be at least 1, got {length}")
    x = _series(values)
    centre = _finite("centre", centre)
    sides = [(v > centre) - (v < centre) for v in x.tolist()]
    return [
        Signal("run", start, end, "above" if side > 0 else "below", start + length - 1)
        for start, end, side in _maximal_runs(sides, length)
    ]


def trends(values: Sequence[float], moves: int = 6) -> list[Signal]:
    """Maximal runs of at least ``moves`` consecutive strictly rising (or falling) moves.

    A move is the step from point ``i`` to ``i + 1``; an equal step (a tie) belongs to
    neither direction and ends the run. ``moves`` moves span ``moves + 1`` points, so
    with the default 6, the reference's "7 points steadily rising" is the shortest trend. Two
    trends in opposite directions may share their turning point. ``reached`` is
    ``start + moves``, the point at which the rule first fires.
    """
    if moves < 1:
        raise ValueError(f"moves must be at least 1, got {moves}")
    x = _series(values)
    steps = _compare(x[1:], x[:-1]).tolist()
    return [
        Signal("trend", start, end + 1, "rising" if step > 0 else "falling", start + moves)
        for start, end, step in _maximal_runs(steps, moves)
    ]


def sen_slope(values: Sequence[float]) -> float | None:
    """Sen's slope: median of ``(x_j - x_i) / (j - i)`` over all pairs; None below 2 points."""
    x = _series(values)
    return _sen(x) if x.size >= 2 else None


def _sen(x: FloatArray) -> float:
    """Sen's slope of a checked series of at least 2 points."""
    xs, scale = _scaled(x)
    i, j = np.triu_indices(x.size, k=1)
    return scale * float(np.median((xs[j] - xs[i]) / (j - i)))


def mann_kendall(
    values: Sequence[float],
    alpha: float = 0.05,
    *,
    continuity: bool = True,
    tie_correction: bool = True,
) -> TrendTest | None:
    """Two-sided Mann-Kendall trend test with Sen's slope; None for fewer than 3 points.

    S = Σ_{i<j} sign(x_j - x_i); Var(S) = n(n-1)(2n+5)/18, minus Σ t(t-1)(2t+5)/18 over
    groups of ``t`` tied values when ``tie_correction``. With ``continuity``,
    z = (S - sign(S)) / √Var(S). p = 2·(1 - Φ(|z|)). A zero variance (constant series
    with tie correction) gives z = 0 and p = 1.

    The defaults (continuity and tie correction) are the textbook test that R's ``Kendall``
    and ``trend`` packages and pymannkendall's ``original_test`` report, so an auditor
    re-running the numbers elsewhere gets the same p. The sample's reference values were
    computed without the tie correction (``tie_correction=False`` reproduces every p of
    them to the two decimals shown; with it M08 gives 0.38 instead of 0.41 and M16 0.29
    instead of 0.30, and no status changes).

    ``direction`` needs ``p < alpha``; the reference values print the sign of S whatever p
    is (M08 "up, p≈0.41"), which is :attr:`TrendTest.tendency`. Pairs are formed in memory,
    O(n²): meant for monthly series of tens to hundreds of points.
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    x = _series(values)
    n = int(x.size)
    if n < 3:
        return None
    i, j = np.triu_indices(n, k=1)
    s = int(np.sum(_compare(x[j], x[i])))
    var_s = n * (n - 1) * (2 * n + 5) / 18.0
    if tie_correction:
        counts = np.unique(x, return_counts=True)[1]
        var_s -= float(np.sum(counts * (counts - 1) * (2 * counts + 5))) / 18.0
    numerator = float(s - int(np.sign(s))) if continuity else float(s)
    z = numerator / math.sqrt(var_s) if var_s > 0.0 else 0.0
    p = min(1.0, math.erfc(abs(z) / math.sqrt(2.0)))  # = 2·(1 − Φ(|z|))
    direction = "none"
    if p < alpha and s != 0:
        direction = "up" if s > 0 else "down"
    return TrendTest(
        s=s,
        var_s=var_s,
        z=z,
        p=p,
        tau=s / (n * (n - 1) / 2.0),
        slope=_sen(x),
        direction=direction,
    )


def _check_sample(p_hat: float, n: int) -> float:
    """Validate a proportion in [0, 1] and a positive sample size."""
    p = _finite("p_hat", p_hat)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p_hat must be a proportion in [0, 1], got {p_hat!r}")
    if n <= 0:
        raise ValueError(f"sample size n must be positive, got {n!r}")
    return p


def wilson_interval(p_hat: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``p_hat`` in [0, 1] observed in ``n`` trials.

    Closed form; equals ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``
    when ``p_hat = k/n``. Bounds are proportions, clipped to [0, 1].
    """
    p = _check_sample(p_hat, n)
    z2n = z * z / n
    denominator = 1.0 + z2n
    centre = (p + z2n / 2.0) / denominator
    half = z / denominator * math.sqrt(p * (1.0 - p) / n + z2n / (4.0 * n))
    lower = 0.0 if p == 0.0 else max(0.0, centre - half)
    upper = 1.0 if p == 1.0 else min(1.0, centre + half)
    return lower, upper


def proportion_margin(p_hat: float, n: int, z: float = Z95) -> float:
    """Normal-approximation half-width z·√(p(1-p)/n), as a proportion like ``p_hat``.

    Multiply by 100 for percentage points. ``p_hat`` must be in [0, 1].
    """
    p = _check_sample(p_hat, n)
    return z * math.sqrt(p * (1.0 - p) / n)


def nps_margin(p_promoters: float, p_detractors: float, n: int, z: float = 1.96) -> float:
    """NPS half-width in NPS points: z·√((p₊ + p₋ − (p₊ − p₋)²)/n)·100."""
    promoters = _check_sample(p_promoters, n)
    detractors = _check_sample(p_detractors, n)
    if promoters + detractors > 1.0 + 1e-12:
        raise ValueError(
            f"promoter and detractor shares add up to more than 1: {promoters} + {detractors}"
        )
    variance = max(0.0, promoters + detractors - (promoters - detractors) ** 2)
    return z * math.sqrt(variance / n) * 100.0


def met(
    value: float,
    direction: str,
    target: float | None = None,
    low: float | None = None,
    high: float | None = None,
) -> bool:
    """Whether a monthly value meets its target (bounds inclusive).

    ``"higher"``: value >= target; ``"lower"``: value <= target; ``"band"``:
    low <= value <= high. Raise ValueError for a non-finite value, an unknown direction
    or a missing bound.
    """
    v = _finite("value", value)
    if direction == "higher":
        if target is None:
            raise ValueError("direction 'higher' needs a target")
        return v >= _finite("target", target)
    if direction == "lower":
        if target is None:
            raise ValueError("direction 'lower' needs a target")
        return v <= _finite("target", target)
    if direction == "band":
        if low is None or high is None:
            raise ValueError("direction 'band' needs both low and high")
        return _finite("low", low) <= v <= _finite("high", high)
    raise ValueError(f"unknown direction {direction!r}; expected 'higher', 'lower' or 'band'")
