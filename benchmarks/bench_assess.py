"""Benchmark: assess 2,000 metric series x 36 months after loading (goal: under 2 s).

Run with `make bench`. Loading and validation are timed separately and excluded from the
assessment figure, as the goal asks.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from portfolio_gen import generate

from generator.assess.lint import lint_assessment
from generator.assess.status import assess_portfolio
from generator.diagnostics import Report
from generator.portfolio.validate import validate_portfolio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--metrics", type=int, default=2000)
    parser.add_argument("--months", type=int, default=36)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bench"
        generate(
            root,
            requirements=600,
            evidence=600,
            metrics=args.metrics,
            findings=50,
            months=args.months,
        )
        start = time.perf_counter()
        portfolio, report = validate_portfolio(root, Report())
        load = time.perf_counter() - start
    if portfolio is None:
        print("benchmark portfolio did not validate:", report.diagnostics[:3])
        return 1
    assess_times, lint_times = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        assessment = assess_portfolio(portfolio)
        assess_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        lint_assessment(assessment)
        lint_times.append(time.perf_counter() - start)
    print(
        f"assess: {args.metrics} metric series x {args.months} months, {args.runs} runs "
        f"(load + validate once: {load:.2f} s)"
    )
    print(
        f"  assess median {statistics.median(assess_times):.2f} s, "
        f"best {min(assess_times):.2f} s; lint median {statistics.median(lint_times):.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
