"""Benchmark: `certfolio diff` of two commits of the sample portfolio (goal: under 2 s warm).

Run with `make bench`. A temporary repository gets the sample and a second commit that
improves M13, removes an evidence item, rewords a requirement and restates a month. "Cold" is
the whole command in a fresh process (interpreter start and imports included); "warm" is the
same diff repeated in one process: both revisions checked out, validated, assessed, compared
and rendered as Markdown each time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generator.review.diff import diff_sides
from generator.review.report import markdown_report
from generator.review.sides import open_sides
from generator.site.escape import md_inline

ROOT = Path(__file__).resolve().parent.parent
GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], env=GIT_ENV, check=True, capture_output=True)


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text("utf-8").replace(old, new, 1), "utf-8")


def repository(repo: Path) -> Path:
    """The sample in `repo`, tagged `base`, and a second commit tagged `head`."""
    ev = repo / "evidence"
    shutil.copytree(ROOT / "evidence", ev)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "tag", "base")
    edit(ev / "metrics/M13.csv", "2024-12,91.0", "2024-12,92.9")
    edit(ev / "metrics/M01.csv", "2024-06,83.2", "2024-06,84.0")
    edit(ev / "requirements/LP/LP-01.yaml", "reviewed yearly", "reviewed every six months")
    (ev / "evidence/EV-011.yaml").unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "head")
    git(repo, "tag", "head")
    return ev


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        portfolio = repository(Path(tmp) / "repo")
        command = [sys.executable, "-m", "generator", "diff", "base", "head", "-p", str(portfolio)]
        cold = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run([*command, "--format", "markdown"], check=True, capture_output=True)
            cold.append(time.perf_counter() - start)
        warm = []
        for _ in range(args.runs + 1):  # the first run warms imports and caches
            start = time.perf_counter()
            with open_sides("base", "head", portfolio) as (base, head):
                report = markdown_report(diff_sides(base, head), md_inline)
            warm.append(time.perf_counter() - start)
    print(
        f"diff: two commits of the sample ({len(report)} characters of Markdown), {args.runs} runs"
    )
    print(
        f"  cold (new process) median {statistics.median(cold):.2f} s; "
        f"warm median {statistics.median(warm[1:]):.2f} s, best {min(warm[1:]):.2f} s "
        "(goal: under 2 s warm)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
