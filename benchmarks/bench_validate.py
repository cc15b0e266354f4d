"""Benchmark: validate a generated portfolio of 5,000 small YAML files (plus metric CSVs).

Run with `make bench`. Prints the median and best of several runs, cold (every file parsed;
the goal is "well under 5 s" on a 2-core machine), warm (the parse cache filled by an earlier
run, nothing changed since: the stored outcome answers; the goal is under 0.5 s) and after
one edit (one evidence title changed before each run: that file parsed, the others from the
cache's entries). The portfolio is generated in a temporary folder.
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
from generator.portfolio.parsecache import ParseCache
from generator.portfolio.validate import validate_portfolio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bench"
        yaml_files = generate(root, requirements=2000, evidence=2500, metrics=400, findings=99)
        times: dict[str, list[float]] = {"cold": [], "warm": [], "edit": []}
        folder, key = Path(tmp) / "cache", Path(tmp) / "key"
        validate_portfolio(root, Report(), cache=ParseCache(folder, key))  # fills the cache
        edited = root / "evidence" / "E-00000.yaml"
        original = edited.read_text("utf-8")
        for run in range(args.runs):
            for label, cache in (
                ("cold", None),
                ("edit", ParseCache(folder, key)),
                ("warm", ParseCache(folder, key)),
            ):
                if label == "edit":
                    edited.write_text(original.replace("title: ", f"title: Run {run} ", 1))
                start = time.perf_counter()
                portfolio, report = validate_portfolio(root, Report(), cache=cache)
                times[label].append(time.perf_counter() - start)
                if portfolio is None or report.errors:
                    print("benchmark portfolio did not validate:", report.diagnostics[:3])
                    return 1
    print(f"validate: {yaml_files} YAML files + 400 CSV files, {args.runs} runs")
    cold, warm = times["cold"], times["warm"]
    print(
        f"  cold median {statistics.median(cold):.2f} s, best {min(cold):.2f} s, "
        f"{yaml_files / statistics.median(cold):,.0f} YAML files/s"
    )
    print(
        f"  warm (parse cache) median {statistics.median(warm):.2f} s, best {min(warm):.2f} s "
        "(goal: under 0.5 s)"
    )
    edit = times["edit"]
    print(
        f"  after one edit (parse cache) median {statistics.median(edit):.2f} s, "
        f"best {min(edit):.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
