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

from generator.diagnostics import Report
from generator.validate import validate_portfolio

PORTFOLIO = """\
id: BENCH
organisation: {name: Benchmark Ltd}
as_of: 2025-01-15
standards: [{id: STD, name: Standard}]
scope:
  entity: {id: ENT, name: Entity}
  sites: [{id: S1, name: Site}]
categories: [{id: C1, title: One}, {id: C2, title: Two}]
retention_classes: [{id: R24, title: 24 months}]
people: [{id: owner, role: Owner}]
"""


def generate(root: Path, requirements: int, evidence: int, metrics: int, findings: int) -> int:
    root.mkdir()
    (root / "portfolio.yaml").write_text(PORTFOLIO)
    for folder in ("requirements", "evidence", "metrics", "findings"):
        (root / folder).mkdir()
    for i in range(requirements):
        (root / "requirements" / f"R-{i:05d}.yaml").write_text(
            f"id: R-{i:05d}\ntitle: Requirement {i}\ncategory: C{i % 2 + 1}\n"
            f"wording: >-\n  Requirement number {i} is met and recorded every month.\n"
            'owner: owner\nmappings:\n  - standard: STD\n    clause: "4.1"\n'
        )
    for i in range(evidence):
        (root / "evidence" / f"E-{i:05d}.yaml").write_text(
            f"id: E-{i:05d}\ntitle: Evidence {i}\ntype: record\nowner: owner\nversion: v1\n"
            "date: 2024-06-01\nscope: [ENT]\nretention: R24\nreview_by: 2025-06-01\n"
            "links:\n  - url: https://example.com/e\n"
            f"supports: [R-{i % requirements:05d}]\n"
        )
    months = [f"{2023 + k // 12}-{k % 12 + 1:02d}" for k in range(24)]
    for i in range(metrics):
        (root / "metrics" / f"M-{i:04d}.yaml").write_text(
            f'id: M-{i:04d}\ntitle: Metric {i}\nunit: "%"\ndirection: higher\nscope: ENT\n'
            "owner: owner\nsampled: false\ntargets:\n  - from: 2023-01\n    value: 80\n"
            f"    rationale: Contract.\nsupports: [R-{i % requirements:05d}]\n"
        )
        (root / "metrics" / f"M-{i:04d}.csv").write_text(
            "period,value\n" + "".join(f"{p},{80 + (k % 7) / 2}\n" for k, p in enumerate(months))
        )
    for i in range(findings):
        (root / "findings" / f"F-{i:04d}.yaml").write_text(
            f"id: F-{i:04d}\ntitle: Finding {i}\ngrade: minor\nsource: internal-audit\n"
            f"raised: 2024-03-01\nrequirements: [R-{i % requirements:05d}]\n"
            "description: Observed.\nowner: owner\ndue: 2024-06-30\n"
        )
    return 1 + requirements + evidence + metrics + findings


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
