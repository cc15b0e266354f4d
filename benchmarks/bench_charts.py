"""Benchmark: drawing one chart cold (no cache), serially in one chart worker, so per core.

Run with `make bench` or `.venv/bin/python benchmarks/bench_charts.py [--repeat N] [--profile]`.
Charts: the sample's metric charts, overview and findings charts, and generated 36-month metric
charts with one, two and five panels (split metrics). They are timed where a build draws them:
in a worker of the chart pool (`chartcache.worker_pool`, one worker), each
`chartcache.render_timed` call on its own, in CPU time; the figures are medians, the worker's
first chart (imports, font cache) is reported apart. The goal: at most 60 ms per chart of
every kind.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import math
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from generator.assess.status import assess_portfolio
from generator.portfolio.validate import validate_portfolio
from generator.site import chartcache, charts, draw
from generator.site.i18n import Labels

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 60.0


def _months(count: int) -> tuple[str, ...]:
    """`count` months ending 2024-12."""
    start = 2025 * 12 - count
    return tuple(f"{(start + k) // 12}-{(start + k) % 12 + 1:02d}" for k in range(count))


def _panel(scope: str, months: tuple[str, ...], rng: random.Random) -> charts.PanelSpec:
    """A generated scope: values around a target, two XmR phases, signals, a low-n month,
    a month without data and Sen's line, as the assessment gives them."""
    count = len(months)
    level, drift = rng.uniform(75, 90), rng.uniform(-0.2, 0.2)
    x = tuple(i for i in range(count) if i != count - 5)  # one month without data
    values = tuple(round(level + drift * k + 3 * math.sin(k / 2) + rng.gauss(0, 1), 1) for k in x)
    half = count // 2
    phases = []
    for index, (a, b) in enumerate(((0, half - 1), (half, count - 1))):
        own = [v for xi, v in zip(x, values, strict=True) if a <= xi <= b]
        centre = statistics.fmean(own)
        spread = 2.66 * statistics.fmean(abs(p - q) for p, q in itertools.pairwise(own))
        phases.append(
            charts.PhaseSpec(f"Phase {index + 1}", a, b, centre, centre - spread, centre + spread)
        )
    target = round(level - 1, 0)
    return charts.PanelSpec(
        scope=scope,
        x=x,
        values=values,
        missed=tuple(xi for xi, v in zip(x, values, strict=True) if v < target),
        target=tuple(target if xi < half else target + 1 for xi in x),
        band=tuple(None for _ in x),
        phases=tuple(phases),
        signals=(
            charts.SignalSpec("run", "below", months[3], months[10], tuple(range(3, 11))),
            charts.SignalSpec("beyond-limits", "above", months[-1], months[-1], (count - 1,)),
        ),
        low_n=(charts.LowNSpec(x[-3], values[-3], 212, values[-3] - 2.5, values[-3] + 1.9),),
        misses_by_year=((2024, 3, 12),),
        status="improving",
        trend=(float(count - 12), float(count - 1), level + 0.5, level + 1.5, 0.031),
        missing=(count - 5,),
        comparators=(0,),
    )


def generated(seed: int, months: int, panels: int) -> charts.MetricChart:
    """A 36-month metric chart like the generated portfolios' (one panel per scope)."""
    labels = Labels("en")
    periods = _months(months)
    rng = random.Random(seed)
    return charts.MetricChart(
        title=f"M-{seed:04d} Generated metric {seed}",
        unit="%",
        decimals=1,
        months=periods,
        panels=tuple(_panel(f"S{i + 1}", periods, rng) for i in range(panels)),
        comparators=(("Peer", 81.0, "2024"),),
        notes=(
            charts.NoteSpec(1, months // 2, labels.word("phase"), "New process."),
            charts.NoteSpec(2, months - 8, labels.word("event"), "A system change."),
        ),
        words=charts.metric_words(labels),
        language="en",
    )


def sample_specs() -> dict[str, charts.ChartSpec]:
    portfolio, report = validate_portfolio(ROOT / "evidence")
    assert portfolio is not None, report.diagnostics
    assessment = assess_portfolio(portfolio)
    labels = Labels(portfolio.config.language)
    found: dict[str, charts.ChartSpec] = {
        f"sample {mid}": charts.metric_chart(result, labels)
        for mid, result in sorted(assessment.metrics.items())
    }
    found["sample overview"] = charts.overview_chart(assessment, labels)
    found["sample findings"] = charts.findings_chart(assessment, labels)
    return found


def _time(
    render: Callable[[charts.ChartSpec], object], spec: charts.ChartSpec
) -> tuple[float, float]:
    """CPU and wall milliseconds of one render (CPU time: what a core spends, whatever else
    the machine runs)."""
    cpu, wall = time.process_time(), time.perf_counter()
    render(spec)
    return (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def _median(
    render: Callable[[charts.ChartSpec], object], specs: list[charts.ChartSpec], repeat: int
) -> tuple[float, float]:
    """Median CPU and wall ms over `repeat` rounds of every spec (each a separate render)."""
    times = [_time(render, s) for _ in range(repeat) for s in specs]
    return statistics.median(c for c, _ in times), statistics.median(w for _, w in times)


def _pool(workers: int) -> None:
    """`render_charts` as a build runs it: a process pool, the cache cold, then warm."""
    specs: dict[str, charts.ChartSpec] = {
        f"{panels}-{seed}.svg": generated(1000 * panels + seed, 36, panels)
        for panels in (1, 2)
        for seed in range(16)
    }
    with tempfile.TemporaryDirectory() as tmp:
        timings = []
        drawn = chartcache.ChartStats()
        for _ in range(2):
            start = time.perf_counter()
            chartcache.render_charts(
                specs, cache_dir=Path(tmp), workers=workers, progress=False, stats=drawn
            )
            timings.append(time.perf_counter() - start)
    cold, warm = timings
    print(
        f"  render_charts, {workers} workers, {len(specs)} charts (half 1, half 2 panels): "
        f"cold {cold:.2f} s wall ({cold * 1000 / len(specs):.0f} ms per chart, pool start "
        f"included; {drawn.cpu * 1000 / len(specs):.0f} ms CPU per chart in the workers, "
        f"first charts included), warm {warm * 1000:.0f} ms"
    )


def _measure(rows: list[tuple[str, list[charts.ChartSpec]]], repeat: int) -> list[str]:
    """In a chart worker, drawing as a build does (`chartcache.render_timed`): the first
    chart, then every row's median CPU and wall ms."""
    render = chartcache.render_timed
    first, _ = _time(render, rows[0][1][0])  # imports, font cache: once per worker
    lines = [f"  first chart in a worker: {first:6.1f} ms CPU"]
    worst = 0.0
    for label, specs in rows:
        rounds = repeat if len(specs) > 1 else repeat * 4
        cpu, wall = _median(render, specs, rounds)
        worst = max(worst, cpu)
        lines.append(
            f"  {label:<34} {cpu:6.1f} ms CPU ({wall:6.1f} wall) per chart, {len(specs)} charts"
        )
    verdict = "met" if worst <= GOAL_MS else "NOT met"
    lines.append(f"  goal <= {GOAL_MS:.0f} ms CPU for every kind: {verdict}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="rounds over every chart")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of 1 panel")
    parser.add_argument("--png", type=Path, help="also write PNGs of a few charts here")
    parser.add_argument("--workers", type=int, default=2, help="for the pool run (default 2)")
    args = parser.parse_args()

    sample = sample_specs()
    one: list[charts.ChartSpec] = [generated(seed, 36, 1) for seed in range(8)]
    two: list[charts.ChartSpec] = [generated(100 + seed, 36, 2) for seed in range(8)]
    five: list[charts.ChartSpec] = [generated(500 + seed, 36, 5) for seed in range(8)]
    metrics = [s for name, s in sample.items() if name.startswith("sample M")]
    rows: list[tuple[str, list[charts.ChartSpec]]] = [
        ("generated, 36 months, 1 panel", one),
        ("generated, 36 months, 2 panels", two),
        ("generated, 36 months, 5 panels", five),
        ("sample metric charts, 24 months", metrics),
        ("sample overview", [sample["sample overview"]]),
        ("sample findings", [sample["sample findings"]]),
    ]
    print(f"charts (render_timed, no cache, one chart worker; median of {args.repeat} rounds)")
    with chartcache.worker_pool(1) as pool:
        print("\n".join(pool.submit(_measure, rows, args.repeat).result()))
    _pool(args.workers)

    if args.png is not None:
        args.png.mkdir(parents=True, exist_ok=True)
        picks: dict[str, charts.ChartSpec] = {"gen-1panel": one[0], "gen-2panels": two[0]}
        picks |= {k.replace(" ", "-"): v for k, v in sample.items() if k.endswith(("M13", "M11"))}
        picks |= {"overview": sample["sample overview"], "findings": sample["sample findings"]}
        for name, spec in picks.items():
            (args.png / f"{name}.png").write_bytes(draw.render_png(spec))
            (args.png / f"{name}.svg").write_bytes(draw.render_svg(spec))
        print(f"  PNGs and SVGs written to {args.png}")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            for spec in one:
                draw.render_svg(spec)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
