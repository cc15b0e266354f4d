"""Benchmark: readiness over the journey (issue 14), the sample and a generated portfolio.

Run with `make bench` (the sample and the quarter size) or `--size full`. Times
`assess.journey.assess_journey` on a loaded portfolio (loading and validation once, excluded),
the median of `--runs` runs, and beside it the naive way: `assess_portfolio` as of every one of
the journey's dates, once. The sample has 24 month ends and its as-of date; the generated
portfolio (`scale_gen`) has 36 months of data and its as-of date.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from scale_gen import SIZES, generate, size

from generator.assess.journey import assess_journey
from generator.assess.status import assess_portfolio
from generator.diagnostics import Report
from generator.model import Portfolio
from generator.portfolio.validate import validate_portfolio

SAMPLE = Path(__file__).resolve().parent.parent / "evidence"


def time_journey(portfolio: Portfolio, runs: int) -> tuple[int, float, float, float]:
    """Points, the journey's median and best seconds, and the naive way's seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        journey = assess_journey(portfolio)
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    for point in journey.points:
        assess_portfolio(portfolio, point.day)
    naive = time.perf_counter() - start
    return len(journey.points), statistics.median(times), min(times), naive


def _report(name: str, portfolio: Portfolio, load: float, runs: int) -> None:
    points, median, best, naive = time_journey(portfolio, runs)
    series = sum(len(x.scope) for x in portfolio.metrics.values())
    print(
        f"journey {name}: {points} points, {len(portfolio.requirements)} requirements, "
        f"{len(portfolio.evidence)} evidence items, {series} metric series "
        f"(load + validate once: {load:.2f} s)"
    )
    print(
        f"  median {median:.3f} s, best {best:.3f} s ({1000 * median / points:.1f} ms a point); "
        f"assess_portfolio at every point: {naive:.2f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", choices=sorted(SIZES), default="quarter")
    args = parser.parse_args()
    start = time.perf_counter()
    sample, report = validate_portfolio(SAMPLE, Report())
    load = time.perf_counter() - start
    if sample is None:
        print("the sample did not validate:", report.sorted()[:3])
        return 1
    _report("sample", sample, load, args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "journey"
        generate(root, **size(args.size))
        start = time.perf_counter()
        portfolio, report = validate_portfolio(root, Report())
        load = time.perf_counter() - start
    if portfolio is None:
        print("the generated portfolio did not validate:", report.sorted()[:3])
        return 1
    _report(f"generated ({args.size})", portfolio, load, max(1, min(args.runs, 3)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
