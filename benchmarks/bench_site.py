"""Benchmark: build the sample site cold (empty chart cache) and warm, stage by stage.

Run with `make bench`. Stages: load (read + validate), assess, charts, render (the generator,
no MkDocs) and mkdocs (the rest of `certfolio site`). The goal: warm generator stages under 1 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from generator.engines.mkdocs import build_site

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("load", "assess", "charts", "render", "mkdocs")


def _project(tmp: Path) -> Path:
    shutil.copy(ROOT / "mkdocs.yml", tmp / "mkdocs.yml")
    shutil.copytree(
        ROOT / "site_templates",
        tmp / "site_templates",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copytree(ROOT / "evidence", tmp / "evidence")
    return tmp / "mkdocs.yml"


def _line(label: str, timings: dict[str, float]) -> str:
    generator = sum(timings[s] for s in STAGES[:-1])
    parts = "  ".join(f"{s} {timings[s]:.2f}" for s in STAGES)
    total = generator + timings["mkdocs"]
    return f"  {label:<5} {parts}  | generator {generator:.2f} s, total {total:.2f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cold: list[dict[str, float]] = []
    warm: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        config = _project(Path(tmp))
        for _ in range(args.runs):
            shutil.rmtree(Path(tmp) / ".cache", ignore_errors=True)
            for runs in (cold, warm):
                result = build_site(config, Path(tmp) / "site")
                if result.problems:
                    print("build failed:", *result.problems, sep="\n  ")
                    return 1
                runs.append(result.timings)
    print(
        f"site: the sample portfolio, {args.runs} cold + {args.runs} warm builds "
        "(median seconds per stage)"
    )
    for label, runs in (("cold", cold), ("warm", warm)):
        print(_line(label, {s: statistics.median(r[s] for r in runs) for s in STAGES}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
