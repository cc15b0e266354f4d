"""Chart specs as data: frozen, picklable dataclasses holding only the numbers and strings a
chart needs (no model objects), so a spec can be hashed for the cache and sent to a worker
process. `charts` builds them from the assessment and writes their text alternatives; `draw`
turns them into SVG. Months stay `YYYY-MM` and numbers stay numbers; `language` says how they
are written when drawn (`formats`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True)
class PhaseSpec:
    label: str
    start: int  # x positions (months since the first month), inclusive
    end: int
    centre: float | None
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class SignalSpec:
    rule: str  # "beyond-limits" | "run" | "trend"
    direction: str
    start: str
    end: str
    points: tuple[int, ...]  # x positions of the points that make the signal


@dataclass(frozen=True)
class LowNSpec:
    x: int
    value: float
    n: int
    low: float  # the 95 % interval: Wilson for proportions, value ± margin for NPS
    high: float


@dataclass(frozen=True)
class NoteSpec:
    number: int
    x: int
    kind: str
    text: str  # whole, never cut: the chart lists it wrapped under the plot, alt_text in full


@dataclass(frozen=True)
class PanelSpec:
    """One scope's series; per-month tuples are aligned with `x`."""

    scope: str
    x: tuple[int, ...]
    values: tuple[float, ...]
    missed: tuple[int, ...]
    target: tuple[float | None, ...]
    band: tuple[tuple[float, float] | None, ...]
    phases: tuple[PhaseSpec, ...]
    signals: tuple[SignalSpec, ...]
    low_n: tuple[LowNSpec, ...]
    misses_by_year: tuple[tuple[int, int, int], ...]  # year, misses, months
    status: str
    # Sen's line over the evaluation window, (x from, x to, y from, y to), and its p-value;
    # drawn for every metric, band metrics included (no verdict depends on it for them)
    trend: tuple[float, float, float, float, float] | None = None
    missing: tuple[int, ...] = ()  # months of the window without data
    comparators: tuple[int, ...] = ()  # which of the chart's comparators apply to this scope


@dataclass(frozen=True)
class MetricChart:
    title: str
    unit: str
    decimals: int
    months: tuple[str, ...]  # label of every x position
    panels: tuple[PanelSpec, ...]
    comparators: tuple[tuple[str, float, str], ...]  # label, value, date
    notes: tuple[NoteSpec, ...]
    words: tuple[tuple[str, str], ...]
    language: str  # the portfolio's: numbers and months are formatted in it when drawn


@dataclass(frozen=True)
class OverviewChart:
    title: str
    statuses: tuple[str, ...]  # requirement statuses, translated, in REQUIREMENT_STATUSES order
    categories: tuple[tuple[str, tuple[int, ...]], ...]
    metric_statuses: tuple[str, ...]
    metrics: tuple[int, ...]
    words: tuple[tuple[str, str], ...]
    language: str


@dataclass(frozen=True)
class FindingsChart:
    title: str
    start: str  # ISO dates
    as_of: str
    raised: tuple[tuple[str, int], ...]  # date, cumulative count
    closed: tuple[tuple[str, int], ...]
    due: tuple[tuple[str, str], ...]  # date, finding ID (findings still open)
    words: tuple[tuple[str, str], ...]
    language: str


@dataclass(frozen=True)
class JourneyChart:
    """Requirement status at every month of the journey (`assess.journey`): one plot for all
    requirements, then one per category; counts per month in REQUIREMENT_STATUSES order."""

    title: str
    months: tuple[str, ...]  # YYYY-MM of every point; the last is assessed at `as_of`
    as_of: str  # ISO date
    statuses: tuple[str, ...]  # requirement statuses, translated
    panels: tuple[tuple[str, tuple[tuple[int, ...], ...]], ...]  # name, counts per month
    words: tuple[tuple[str, str], ...]
    language: str


@dataclass(frozen=True)
class CompareChart:
    """A split metric's scopes on one y-axis (`comparechart`): an overlay of the series when
    there are at most `comparechart.OVERLAY_MOST`, else small multiples all drawn on `ylim`.
    Per-month tuples are aligned with `months`; a target of None: none in force."""

    title: str
    unit: str
    decimals: int
    months: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]  # scope, value per month
    targets: tuple[tuple[float | None, ...], ...]  # per series, as `series`
    bands: tuple[tuple[tuple[float, float] | None, ...], ...]  # per series: band targets
    layout: str  # "overlay" | "multiples"
    ylim: tuple[float, float]  # the one scale every series is drawn on
    words: tuple[tuple[str, str], ...]
    language: str


ChartSpec: TypeAlias = MetricChart | OverviewChart | FindingsChart | JourneyChart | CompareChart
