"""Benchmark: a generated multi-site portfolio (`scale_gen`), stage by stage (issue 12).

Run with `make bench` (the quarter size) or `make bench-full`; `--size tenth|quarter|full`.
Stages: validate cold (no cache; then filling the parse cache), warm (the parse cache, in
the same process, and `certfolio validate` in a new process) and after one edit, assess,
charts cold (2 workers) and warm, render (the generator's pages and files with the chart
cache warm: validation, assessment and the journey included), and per engine
(MkDocs, and Zensical when it is installed): a whole `certfolio site` build with empty caches,
its engine stage in ms per page, pages and bytes, and a rebuild after editing one evidence
title. Prints a table and writes the figures to `results/scale-SIZE.json` beside this
script (git-ignored). With `--runs N` every figure is the median of N runs. No figure is
asserted anywhere; `tests/test_scale.py` runs it all at a tiny size.

Peak memory is `ru_maxrss` (peak resident set) of the process that ran the stage, not
tracemalloc (which would slow Python down): the pipeline stages run in one child process in
the order above, so each figure is the peak so far; every site build runs in a child of its
own, and "children" is the largest process it started (chart workers, Zensical).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from scale_gen import size

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
PIPELINE = (
    "validate cold (no cache)",
    "validate cold (filling the parse cache)",
    "validate warm (parse cache)",
    "certfolio validate warm (new process)",
    "validate after one edit (parse cache)",
    "assess",
    "charts cold (2 workers)",
    "charts warm",
    "render (generator, caches warm)",
)
ENGINES = ("mkdocs", "zensical")
BUILDS = ("build (empty caches)", "one-edit rebuild")


def installed_engines() -> tuple[str, ...]:
    return tuple(e for e in ENGINES if e == "mkdocs" or find_spec(e) is not None)


def stage_names(engines: Sequence[str]) -> list[str]:
    """Every stage a report has, in order."""
    return [*PIPELINE, *(f"{engine} {build}" for engine in engines for build in BUILDS)]


def _peak_mib(who: int = resource.RUSAGE_SELF) -> float:
    """ru_maxrss in MiB (Linux counts KiB, macOS bytes)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


# --- the project --------------------------------------------------------------------------


def prepare(workdir: Path, counts: dict[str, int]) -> tuple[Path, dict[str, Any]]:
    """A project like the repository's: the generated portfolio, mkdocs.yml pointing at it
    and the docs folder; returns it and what was generated."""
    from scale_gen import generate

    project = workdir / "project"
    project.mkdir(parents=True)
    start = time.perf_counter()
    made = generate(project / "portfolio", **counts)
    seconds = time.perf_counter() - start
    config = (ROOT / "mkdocs.yml").read_text("utf-8")
    if "portfolio: evidence\n" not in config:
        raise SystemExit("mkdocs.yml names no 'portfolio: evidence' to point elsewhere")
    (project / "mkdocs.yml").write_text(
        config.replace("portfolio: evidence\n", "portfolio: portfolio\n")
    )
    shutil.copytree(
        ROOT / "site_templates",
        project / "site_templates",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return project, {"seconds": seconds, **vars(made)}


def _edit_one_title(project: Path, suffix: str) -> str:
    path = project / "portfolio" / "evidence" / "EV-00001.yaml"
    text = path.read_text("utf-8")
    start = text.index("\ntitle: ") + len("\ntitle: ")
    end = text.index("\n", start)
    path.write_text(text[:end] + f" {suffix}" + text[end:], "utf-8")
    return path.name


# --- in a child process ---------------------------------------------------------------------


def pipeline(project: Path) -> dict[str, Any]:
    """The generator's stages one after the other in this process; seconds and peak each."""
    from generator.assess.lint import readiness
    from generator.assess.status import assess_portfolio
    from generator.diagnostics import Report
    from generator.portfolio.parsecache import ParseCache
    from generator.portfolio.validate import validate_portfolio
    from generator.site import chartcache, charts, comparechart
    from generator.site.build import generate_site
    from generator.site.i18n import Labels

    root, scratch = project / "portfolio", project / ".bench-cache"  # charts, and parse/
    stages: dict[str, Any] = {}

    def measure(name: str, work: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = work()
        stages[name] = {"seconds": time.perf_counter() - start, "peak_mib": _peak_mib()}
        return result

    measure(PIPELINE[0], lambda: validate_portfolio(root, Report()))
    measure(
        PIPELINE[1], lambda: validate_portfolio(root, Report(), cache=ParseCache(scratch / "parse"))
    )
    warm = ParseCache(scratch / "parse")
    portfolio, report = measure(PIPELINE[2], lambda: validate_portfolio(root, Report(), cache=warm))
    stages[PIPELINE[2]].update(
        hits=warm.stats.hits, misses=warm.stats.misses, whole=warm.stats.results
    )
    if portfolio is None:
        raise SystemExit(f"the generated portfolio does not validate: {report.sorted()[:3]}")
    stages["files"] = report.files
    command = [sys.executable, "-m", "generator", "validate", str(root)]
    subprocess.run(command, check=False, capture_output=True)  # fills its parse cache
    measure(PIPELINE[3], lambda: subprocess.run(command, check=False, capture_output=True))
    evidence = root / "evidence" / "EV-00001.yaml"
    original = evidence.read_bytes()
    _edit_one_title(project, "(edited)")
    edited = ParseCache(scratch / "parse")
    measure(PIPELINE[4], lambda: validate_portfolio(root, Report(), cache=edited))
    stages[PIPELINE[4]].update(hits=edited.stats.hits, misses=edited.stats.misses, whole=0)
    evidence.write_bytes(original)

    def assess() -> Any:
        assessment = assess_portfolio(portfolio)
        readiness(assessment)
        return assessment

    assessment = measure(PIPELINE[5], assess)
    labels = Labels(portfolio.config.language)
    specs: dict[str, Any] = {
        f"metrics/{mid}.svg": charts.metric_chart(result, labels)
        for mid, result in assessment.metrics.items()
    }
    specs["charts/overview.svg"] = charts.overview_chart(assessment, labels)
    specs["charts/findings.svg"] = charts.findings_chart(assessment, labels)
    specs.update(comparechart.compare_charts(assessment, labels))  # split metrics' scopes
    for name in PIPELINE[6:8]:
        drawn = chartcache.ChartStats()
        measure(
            name,
            lambda drawn=drawn: chartcache.render_charts(
                specs, cache_dir=scratch, workers=2, progress=False, stats=drawn
            ),
        )
        stages[name]["charts"] = len(specs)
        stages[name]["chart_cpu_ms"] = 1000 * drawn.cpu / max(len(drawn.rendered), 1)
    site, _ = measure(
        PIPELINE[8],
        lambda: generate_site(root, cache_dir=scratch, workers=2, progress=False),
    )
    stages[PIPELINE[8]].update(
        render_seconds=site.timings["render"], pages=len(site.pages), files=len(site.files)
    )
    return stages


def build(project: Path, engine: str, site_dir: Path) -> dict[str, Any]:
    """One `certfolio site` with `engine` into `site_dir`."""
    if engine == "zensical":
        from generator.engines import zensical as driver
    else:
        from generator.engines import mkdocs as driver  # type: ignore[no-redef]
    start = time.perf_counter()
    result = driver.build_site(project / "mkdocs.yml", site_dir)
    return {
        "seconds": time.perf_counter() - start,
        "timings": result.timings,
        "problems": result.problems[:5],
        "peak_mib": _peak_mib(),
        "children_peak_mib": _peak_mib(resource.RUSAGE_CHILDREN),
    }


def _child(*args: str, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"child {args[0]} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _site_figures(site: Path) -> dict[str, Any]:
    pages = [p.stat().st_size for p in site.rglob("*.html")]
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    return {
        "pages": len(pages),
        "site_bytes": total,
        "largest_page_bytes": max(pages, default=0),
        "median_page_bytes": int(statistics.median(pages)) if pages else 0,
        "index_bytes": (site / "index.html").stat().st_size
        if (site / "index.html").exists()
        else 0,
    }


# --- the orchestrator -----------------------------------------------------------------------


def run_once(workdir: Path, counts: dict[str, int], engines: Sequence[str]) -> dict[str, Any]:
    """Generate, then run every stage in child processes; one report."""
    project, generated = prepare(workdir, counts)
    env = {**os.environ, "XDG_CACHE_HOME": str(workdir / "home"), "NO_MKDOCS_2_WARNING": "1"}
    stages = _child("pipeline", str(project), env=env)
    report: dict[str, Any] = {
        "generated": generated,
        "files": stages.pop("files"),
        "stages": stages,
    }
    for engine in engines:
        site = workdir / f"site-{engine}"
        shutil.rmtree(project / ".cache", ignore_errors=True)
        for step, build_name in enumerate(BUILDS):
            if step:
                _edit_one_title(project, f"(edited for {engine})")
            figures = _child("build", str(project), engine, str(site), env=env)
            stages[f"{engine} {build_name}"] = figures
            if figures["problems"]:  # reported, and the other engines still measured
                break
            figures.update(_site_figures(site))
            engine_seconds = figures["timings"].get(engine, 0.0)
            figures["engine_seconds"] = engine_seconds
            figures["engine_ms_per_page"] = 1000 * engine_seconds / max(figures["pages"], 1)
    return report


def median_report(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """The first report with every number replaced by the median over all of them."""

    def merge(values: list[Any]) -> Any:
        first = values[0]
        if isinstance(first, dict):
            return {k: merge([v[k] for v in values if k in v]) for k in first}
        if isinstance(first, int | float) and not isinstance(first, bool):
            return statistics.median(values)
        return first

    merged: dict[str, Any] = merge(reports)
    merged["runs"] = len(reports)
    return merged


def run(
    name: str, counts: dict[str, int], workdir: Path, engines: Sequence[str], runs: int = 1
) -> dict[str, Any]:
    reports = []
    for k in range(runs):
        reports.append(run_once(workdir / f"run-{k}", counts, engines))
    report = median_report(reports)
    report.update(size=name, counts=counts, engines=list(engines))
    return report


def table(report: dict[str, Any]) -> str:
    counts, generated = report["counts"], report["generated"]
    lines = [
        f"scale: {report['size']} size, {counts['programs']} programs, "
        f"{generated['series']} series x {counts['months']} months "
        f"({generated['metrics']} metrics), {counts['evidence']:,} "
        f"evidence items, {counts['requirements']} requirements, {counts['findings']} findings",
        f"  {report['files']:,} input files, generated in {generated['seconds']:.1f} s; "
        f"median of {report['runs']} run(s); peak = ru_maxrss of the stage's process",
        f"  {'stage':<40} {'seconds':>8} {'peak MiB':>9}  notes",
    ]
    for stage, figures in report["stages"].items():
        notes = ""
        if figures.get("whole"):
            notes = "answered by the stored outcome: nothing parsed or built"
        elif "hits" in figures:
            notes = f"{figures['hits']:.0f} files from the cache, {figures['misses']:.0f} parsed"
        if "charts" in figures:
            per = 1000 * figures["seconds"] / max(figures["charts"], 1)
            notes = f"{figures['charts']:.0f} charts, {per:.0f} ms each (wall)"
            if figures.get("chart_cpu_ms"):
                notes += f", {figures['chart_cpu_ms']:.0f} ms CPU each drawn (per core)"
        if "render_seconds" in figures:
            notes = f"render {figures['render_seconds']:.2f} s, {figures['pages']:.0f} pages"
        if figures.get("problems"):
            notes = "failed: " + "; ".join(figures["problems"])[:300]
        elif "engine_seconds" in figures:
            notes = (
                f"engine {figures['engine_seconds']:.1f} s = {figures['engine_ms_per_page']:.0f} "
                f"ms/page, {figures['pages']:.0f} pages, {figures['site_bytes'] / 1e6:.0f} MB, "
                f"largest page {figures['largest_page_bytes'] / 1e3:.0f} KB, "
                f"children {figures['children_peak_mib']:.0f} MiB"
            )
        lines.append(
            f"  {stage:<40} {figures['seconds']:>8.2f} {figures['peak_mib']:>9.0f}  {notes}"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=("tenth", "quarter", "full"), default="quarter")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--engine", action="append", choices=ENGINES, help="default: every one installed"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, project, *rest = args.child
        result = (
            pipeline(Path(project))
            if kind == "pipeline"
            else build(Path(project), rest[0], Path(rest[1]))
        )
        print(json.dumps(result))
        return 0
    engines = tuple(args.engine or installed_engines())
    counts = {**size(args.size), "months": 36}
    with tempfile.TemporaryDirectory(prefix="certfolio-scale-") as tmp:
        report = run(args.size, counts, Path(tmp), engines, args.runs)
    sys.stdout.write(table(report))
    RESULTS.mkdir(exist_ok=True)
    target = RESULTS / f"scale-{args.size}.json"
    target.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", "utf-8")
    print(f"  figures written to {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
