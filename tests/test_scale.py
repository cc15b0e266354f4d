"""The scale benchmark keeps working: its generator writes a valid, deterministic portfolio,
and the whole benchmark runs end to end at a tiny size (no timing is asserted)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator.assess.status import assess_portfolio
from generator.diagnostics import Report
from generator.portfolio.validate import validate_portfolio

from .conftest import ROOT
from .test_background import in_fresh_python

TINY = {
    "programs": 3,
    "series": 12,
    "months": 36,
    "evidence": 40,
    "requirements": 20,
    "findings": 5,
}


@pytest.fixture
def benchmarks(monkeypatch: pytest.MonkeyPatch) -> tuple[ModuleType, ModuleType]:
    """benchmarks/scale_gen.py and bench_scale.py, imported as the scripts import them."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import bench_scale
    import scale_gen

    return scale_gen, bench_scale


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_the_generator_writes_a_valid_deterministic_portfolio(
    tmp_path: Path, benchmarks: tuple[ModuleType, ModuleType]
) -> None:
    scale_gen, _ = benchmarks
    made = scale_gen.generate(tmp_path / "one", **TINY)
    assert made.series == 12 and made.metrics >= 3 and made.reviews > 0
    portfolio, report = validate_portfolio(tmp_path / "one", Report())
    assert report.errors == 0, report.sorted()[:3]
    assert report.warnings <= 3
    assert portfolio is not None
    assert report.files == made.yaml_files + made.csv_files
    assert len(portfolio.evidence) == 40 and len(portfolio.requirements) == 20
    assert sum(len(m.scope) for m in portfolio.metrics.values()) == 12
    assert any(len(m.scope) > 1 for m in portfolio.metrics.values())  # reported per program
    assert any(r.results for r in portfolio.requirements.values())
    assessment = assess_portfolio(portfolio)
    assert len(assessment.metrics) == made.metrics
    scale_gen.generate(tmp_path / "two", **TINY)
    assert _files(tmp_path / "one") == _files(tmp_path / "two")


def test_the_sizes_scale_every_count(benchmarks: tuple[ModuleType, ModuleType]) -> None:
    scale_gen, _ = benchmarks
    assert scale_gen.size("full") == scale_gen.FULL
    assert scale_gen.size("tenth") == {
        "programs": 5,
        "series": 200,
        "evidence": 500,
        "requirements": 70,
        "findings": 20,
    }


def test_the_benchmark_runs_end_to_end(
    tmp_path: Path, benchmarks: tuple[ModuleType, ModuleType]
) -> None:
    _, bench_scale = benchmarks
    engines = bench_scale.installed_engines()
    report = bench_scale.run("tiny", TINY, tmp_path, engines)
    assert list(report["stages"]) == bench_scale.stage_names(engines)
    for stage, figures in report["stages"].items():
        assert figures["seconds"] > 0 and figures["peak_mib"] > 0, stage
    warm = report["stages"]["validate warm (parse cache)"]
    assert warm["whole"] == 1 and warm["misses"] == 0  # the stored outcome answered
    edited = report["stages"]["validate after one edit (parse cache)"]
    assert (edited["hits"], edited["misses"]) == (report["files"] - 1, 1)
    for engine in engines:
        built = report["stages"][f"{engine} build (empty caches)"]
        assert built["pages"] > 70 and built["site_bytes"] > 0 and built["engine_ms_per_page"] > 0
    assert "mkdocs one-edit rebuild" in bench_scale.table(report)
    json.dumps(report)  # what the benchmark writes beside its table


def _digest(site: Any) -> str:
    """One SHA-256 over a site's pages and files."""
    digest = hashlib.sha256()
    for name, text in sorted(site.pages.items()):
        digest.update(f"{name}\0{text}\0".encode())
    for name, content in sorted(site.files.items()):
        digest.update(name.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


_FORKED_BUILD = """
import os
from pathlib import Path
from generator.site import background, build
from tests.test_scale import _digest
build.JOURNEY_POOL_FROM = build.DOWNLOADS_POOL_FROM = 0
forked = []
real_later = background.later
def counted(work, *, background):
    forked.append(background)
    return real_later(work, background=background)
build.background.later = counted
if {child!r} == "killed":
    background._run = lambda work, send: os._exit(1)
site, _ = build.generate_site(Path({root!r}), workers=2)
print(forked, background.can_fork(), _digest(site))
"""


@pytest.mark.parametrize("child", ["answers", "killed"])
def test_large_portfolios_build_in_two_processes_with_the_same_result(
    child: str, tmp_path: Path, benchmarks: tuple[ModuleType, ModuleType]
) -> None:
    """From `JOURNEY_POOL_FROM` and `DOWNLOADS_POOL_FROM` on, the journey and the downloads
    are made in forked children while the build goes on: the same pages and files as made
    in line, also when a child dies. The forking build runs in a fresh interpreter (this
    session has threads, and `background` never forks then)."""
    from generator.site import build

    scale_gen, _ = benchmarks
    root = tmp_path / "portfolio"
    scale_gen.generate(root, **TINY)
    inline, _ = build.generate_site(root, workers=1)
    assert inline is not None
    out = in_fresh_python(_FORKED_BUILD.format(child=child, root=str(root)))
    assert out.split() == ["[True,", "True]", "True", _digest(inline)]
