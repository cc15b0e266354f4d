"""Benchmark: validate a generated portfolio of 5,000 small YAML files (plus metric CSVs).

Run with `make bench`. Prints the median and best of several runs; the goal is "well under
5 s" on a 2-core machine. The portfolio is generated in a temporary folder each run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from portfolio_gen import generate

from generator.diagnostics import Report
from generator.portfolio.validate import validate_portfolio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bench"
        yaml_files = generate(root, requirements=2000, evidence=2500, metrics=400, findings=99)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            portfolio, report = validate_portfolio(root, Report())
            times.append(time.perf_counter() - start)
            if portfolio is None or report.errors:
                print("benchmark portfolio did not validate:", report.diagnostics[:3])
                return 1
    print(f"validate: {yaml_files} YAML files + 400 CSV files, {args.runs} runs")
    print(
        f"  median {statistics.median(times):.2f} s, best {min(times):.2f} s, "
        f"{yaml_files / statistics.median(times):,.0f} YAML files/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
