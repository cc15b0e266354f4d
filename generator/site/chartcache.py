"""The chart cache and the worker pool: SVG bytes for many chart specs, each drawn at most once.

A chart's key (`chart_key`) is a SHA-256 over its spec, the chart style version, matplotlib's
version and the rc settings, so any change that could alter a drawing misses the cache. An
entry is an SVG and a sidecar hash written atomically (temp file, fsync, rename); an entry
whose hash does not match is drawn again. Misses are drawn serially or in a process pool.
"""

from __future__ import annotations

import concurrent.futures as cf
import ctypes
import gc
import hashlib
import json
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib as mpl
from tqdm import tqdm  # type: ignore[import-untyped]

from generator.site.charts import ChartSpec
from generator.site.draw import CHART_STYLE_VERSION, RC_PARAMS, render_svg


class _Bar(tqdm):  # type: ignore[misc]
    """tqdm without its monitor thread, which would keep `background` from forking later."""

    monitor_interval = 0


#: Fewer charts than this are drawn in this process unless `workers` says otherwise: starting
#: a pool (a forkserver, matplotlib imported in every worker, ~0.8 s) costs more than
#: drawing them here (~30 ms each, benchmarks/bench_charts.py) saves on two cores.
POOL_FROM = 32


@dataclass
class ChartStats:
    """Filled in by `render_charts`: which charts came from the cache and which were drawn."""

    cached: list[str] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)  # cache entries that failed the check
    cpu: float = 0.0  # CPU seconds spent drawing the rendered ones, summed over the workers


def chart_key(spec: ChartSpec) -> str:
    """SHA-256 over the spec's `repr`, CHART_STYLE_VERSION, matplotlib's version and the rc
    settings. A spec is a frozen dataclass of strings, numbers and tuples of them, whose
    `repr` names its class and writes every field, floats exactly, in a fixed order: the
    same values give the same text in any process (a sixth of the time `dataclasses.asdict`
    and JSON took, which a warm build of 900 charts spent on keys alone)."""
    style = json.dumps(RC_PARAMS, sort_keys=True)
    salt = f"certfolio-chart\0{CHART_STYLE_VERSION}\0{mpl.__version__}\0{style}\0"
    return hashlib.sha256((salt + repr(spec)).encode("utf-8", "surrogatepass")).hexdigest()


def _read_cached(cache_dir: Path, key: str) -> bytes | None:
    """The cached SVG when it is there and its sidecar hash matches its content."""
    try:
        content = (cache_dir / f"{key}.svg").read_bytes()
        expected = (cache_dir / f"{key}.sha256").read_text("ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    return content if hashlib.sha256(content).hexdigest() == expected else None


def _write_atomic(path: Path, content: bytes) -> None:
    """Write to a temp file in the same folder, fsync, then os.replace: never a partial file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _store(cache_dir: Path, key: str, content: bytes) -> None:
    # the SVG first, its hash last: an entry without a matching hash is re-rendered
    _write_atomic(cache_dir / f"{key}.svg", content)
    _write_atomic(cache_dir / f"{key}.sha256", hashlib.sha256(content).hexdigest().encode())


def _pool_context() -> multiprocessing.context.BaseContext:
    return multiprocessing.get_context("forkserver" if sys.platform == "linux" else "spawn")


def _exit_with_parent(parent: int) -> None:
    """Worker initializer: end this worker when the process that asked for charts is gone.

    A parent killed with SIGKILL cannot shut its pool down. On Linux the kernel sends the
    worker SIGKILL when its own parent (the forkserver, which exits with the main process)
    dies; everywhere, a watch thread exits once the main process is gone.
    """
    if sys.platform == "linux":
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the thread remains
            pass

    def watch() -> None:
        while True:
            time.sleep(0.5)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # pragma: no cover - alive, but someone else's now
                os._exit(1)

    threading.Thread(target=watch, name="certfolio-parent-watch", daemon=True).start()


def _start_worker(parent: int) -> None:
    """Worker initializer: exit with `parent` (`_exit_with_parent`), then freeze what the
    worker has imported (matplotlib and the chart code: some 100,000 objects) out of the
    cyclic garbage collector's reach. Drawing a chart makes thousands of objects, which set
    off a full collection every few charts; it no longer walks the modules (a tenth of a
    chart's time, benchmarks/bench_charts.py). Frozen objects live as long as the worker,
    as modules do anyway."""
    _exit_with_parent(parent)
    gc.freeze()


def worker_pool(jobs: int) -> cf.ProcessPoolExecutor:
    """A process pool whose workers exit when this process dies, however it dies, with the
    modules they imported frozen (`_start_worker`)."""
    return cf.ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=_pool_context(),
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )


def render_timed(spec: ChartSpec) -> tuple[bytes, float]:
    """`render_svg` with the cyclic garbage collector paused, then the chart's garbage
    collected (the youngest generation: everything the chart made), and the CPU seconds it
    all took in this process. A chart makes some 100,000 objects, nearly all alive till it
    is saved; left on, the collector walked them again and again while they were built (a
    quarter of a five-plot chart's time, benchmarks/bench_charts.py)."""
    start = time.process_time()
    enabled = gc.isenabled()
    gc.disable()
    try:
        svg = render_svg(spec)
    finally:
        if enabled:
            gc.enable()
    gc.collect(0)
    return svg, time.process_time() - start


def _render_misses(
    misses: dict[str, ChartSpec], workers: int | None, progress: bool | None, stats: ChartStats
) -> dict[str, bytes]:
    """Render keyed specs: serially for 1–2 or one worker, else in a process pool; by
    default (no `workers`) in a pool of one worker per core from `POOL_FROM` charts on."""
    count = len(misses)
    jobs = workers if workers is not None else min(os.cpu_count() or 1, count)
    if workers is None and count < POOL_FROM:
        jobs = 1
    show = progress if progress is not None else (sys.stderr.isatty() and count > 8)
    done: dict[str, bytes] = {}
    with _Bar(total=count, disable=not show, file=sys.stderr, unit="chart") as bar:
        if count <= 2 or jobs <= 1:
            for key, spec in sorted(misses.items()):
                done[key], cpu = render_timed(spec)
                stats.cpu += cpu
                bar.update()
            return done
        with worker_pool(jobs) as pool:
            futures = {pool.submit(render_timed, spec): key for key, spec in sorted(misses.items())}
            for future in cf.as_completed(futures):
                done[futures[future]], cpu = future.result()
                stats.cpu += cpu
                bar.update()
    return done


def render_charts(
    specs: Mapping[str, ChartSpec],
    *,
    cache_dir: Path | None,
    workers: int | None = None,
    progress: bool | None = None,
    stats: ChartStats | None = None,
) -> dict[str, bytes]:
    """SVG bytes for every named spec, sorted by name. With `cache_dir`, charts whose key
    (`chart_key`) has a verified entry are read back, the rest are drawn and stored atomically,
    and leftover `*.tmp` files from an interrupted run are removed first. `stats`, when given,
    records which names were cached, rendered, or had an invalid cache entry, and the CPU
    time drawing took. The pool uses forkserver (spawn off Linux), which re-imports a
    caller's main script: scripts that call this must keep their work under
    `if __name__ == "__main__":`."""
    stats = stats if stats is not None else ChartStats()
    keys = {name: chart_key(spec) for name, spec in specs.items()}
    found: dict[str, bytes] = {}
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for leftover in sorted(cache_dir.glob("*.tmp")):
            leftover.unlink(missing_ok=True)
        for name, key in sorted(keys.items()):
            content = _read_cached(cache_dir, key) if key not in found else found[key]
            if content is not None:
                found[key] = content
                stats.cached.append(name)
            elif (cache_dir / f"{key}.svg").exists():
                stats.invalid.append(name)
    misses = {key: specs[name] for name, key in sorted(keys.items()) if key not in found}
    stats.rendered += sorted(name for name, key in keys.items() if key in misses)
    fresh = _render_misses(misses, workers, progress, stats) if misses else {}
    if cache_dir is not None:
        for key, content in sorted(fresh.items()):
            _store(cache_dir, key, content)
    found |= fresh
    return {name: found[keys[name]] for name in sorted(keys)}
