"""Generated portfolios for the benchmarks: valid, deterministic, of any size."""

from __future__ import annotations

import math
import random
from pathlib import Path

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

METRIC = """\
id: {id}
title: Metric {i}
unit: "%"
direction: higher
scope: ENT
owner: owner
sampled: false
targets:
  - from: {first}
    value: 80
    rationale: Contract.
comparators:
  - {{label: Peer, value: 81, source: Survey, date: 2024}}
annotations:
  - {{period: {phase}, kind: phase, text: New process.}}
supports: [{requirement}]
"""


def _months(count: int) -> list[str]:
    """`count` months ending 2024-12."""
    start = 2025 * 12 - count
    return [f"{(start + k) // 12}-{(start + k) % 12 + 1:02d}" for k in range(count)]


def generate(
    root: Path, requirements: int, evidence: int, metrics: int, findings: int, months: int = 24
) -> int:
    """Write a valid portfolio of the given size under `root`; returns its YAML file count."""
    root.mkdir()
    (root / "portfolio.yaml").write_text(PORTFOLIO)
    for folder in ("requirements", "evidence", "metrics", "findings"):
        (root / folder).mkdir()
    for i in range(requirements):
        (root / "requirements" / f"R-{i:05d}.yaml").write_text(
            f"id: R-{i:05d}\ntitle: Requirement {i}\ncategory: C{i % 2 + 1}\n"
            f"wording: >-\n  Requirement number {i} is met and recorded every month.\n"
            f"owner: owner\nresults: {'true' if i % 3 == 0 else 'false'}\n"
            'mappings:\n  - standard: STD\n    clause: "4.1"\n'
        )
    for i in range(evidence):
        (root / "evidence" / f"E-{i:05d}.yaml").write_text(
            f"id: E-{i:05d}\ntitle: Evidence {i}\ntype: record\nowner: owner\nversion: v1\n"
            "date: 2024-06-01\nscope: [ENT]\nretention: R24\nreview_by: 2025-06-01\n"
            "links:\n  - url: https://example.com/e\n"
            f"supports: [R-{i % requirements:05d}]\n"
        )
    periods = _months(months)
    rng = random.Random(20250115)
    for i in range(metrics):
        (root / "metrics" / f"M-{i:04d}.yaml").write_text(
            METRIC.format(
                id=f"M-{i:04d}",
                i=i,
                first=periods[0],
                phase=periods[len(periods) // 2],
                requirement=f"R-{i % requirements:05d}",
            )
        )
        level, drift = rng.uniform(75, 90), rng.uniform(-0.2, 0.2)
        rows = "".join(
            f"{p},{level + drift * k + 3 * math.sin(k / 2 + i) + rng.gauss(0, 1):.1f}\n"
            for k, p in enumerate(periods)
        )
        (root / "metrics" / f"M-{i:04d}.csv").write_text("period,value\n" + rows)
    for i in range(findings):
        (root / "findings" / f"F-{i:04d}.yaml").write_text(
            f"id: F-{i:04d}\ntitle: Finding {i}\ngrade: minor\nsource: internal-audit\n"
            f"raised: 2024-03-01\nrequirements: [R-{i % requirements:05d}]\n"
            "description: Observed.\nowner: owner\ndue: 2024-06-30\n"
        )
    return 1 + requirements + evidence + metrics + findings
