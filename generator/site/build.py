"""The one pipeline both front ends call: portfolio folder in, site files out.

`generate_site` validates, assesses, draws the charts and renders the pages, and returns a
`Site`: Markdown pages plus asset bytes (charts, data files, attachments, manifest), keyed by
their path relative to the site root. Nothing here imports MkDocs: the MkDocs plugin adds these
files to a build, and `write_site` writes them as a plain folder any engine can build.
Writing to disk is a separate, atomic step.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import os
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator import heap, jsontext
from generator.assess.export import assessment_json
from generator.assess.journey import Journey, assess_journey, journey_csv, journey_dates
from generator.assess.lint import readiness
from generator.assess.status import Assessment, assess_portfolio
from generator.diagnostics import Diagnostic, Level, Report
from generator.model import Portfolio
from generator.portfolio.parsecache import ParseCache
from generator.portfolio.source import read_limited
from generator.portfolio.validate import validate_portfolio
from generator.review.suspect import suspects_by_record
from generator.site import background, chartcache, charts, comparechart, output, requests
from generator.site.i18n import Labels
from generator.site.journeycache import JourneyCache, journey_key
from generator.site.release import Release, changes_since
from generator.site.render import Published, SiteData, SourceInfo, default_templates, render_pages


@dataclass
class Site:
    """A generated site: pages (Markdown) and files (bytes), by path from the site root."""

    pages: dict[str, str]
    files: dict[str, bytes]
    verbatim: frozenset[str]  # files published as they are, never rendered (attachments)
    language: str
    source: SourceInfo
    timings: dict[str, float] = field(default_factory=dict)
    # what `--strict` refuses: validation warnings and readiness warnings, in file order
    warnings: tuple[Diagnostic, ...] = ()


def _git(args: Sequence[str], cwd: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def source_info(portfolio_dir: Path, as_of: dt.date) -> SourceInfo:
    """The portfolio's commit and a build time that never comes from the clock.

    The time is the commit's (`git log -1 --format=%ct`), else `SOURCE_DATE_EPOCH`, else
    midnight UTC of the as-of date: the same inputs always give the same site.
    """
    commit = _git(["rev-parse", "HEAD"], portfolio_dir)
    dirty = bool(_git(["status", "--porcelain", "--", "."], portfolio_dir)) if commit else False
    stamp = _git(["log", "-1", "--format=%ct"], portfolio_dir) if commit else None
    if stamp and stamp.isdigit():
        epoch = int(stamp)
    elif os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        epoch = int(os.environ["SOURCE_DATE_EPOCH"])
    else:
        epoch = int(dt.datetime.combine(as_of, dt.time(), dt.UTC).timestamp())
    # gzip headers (sitemap.xml.gz) hold an unsigned 32-bit time: 1970 to 2106
    return SourceInfo(commit, dirty, min(max(epoch, 0), 2**32 - 1))


def _read_attachment(path: Path, limit: int) -> bytes:
    """Never a symlink, FIFO or device, never more than `limit` bytes (an OSError with the path)."""
    return read_limited(path, limit)


def _data_csv(assessment: Assessment, metric_id: str) -> bytes:
    """A metric's monthly table as CSV; text cells cannot start a spreadsheet formula."""
    result = assessment.metrics[metric_id]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["scope", "period", "value", "target", "low", "high", "met", "n"]
    writer.writerow([*header, "interval_lower", "interval_upper"])
    for scope in result.scopes:
        for row in scope.months:
            writer.writerow(
                [
                    scope.scope,
                    row.period,
                    repr(row.value),
                    "" if row.target is None else repr(row.target),
                    "" if row.low is None else repr(row.low),
                    "" if row.high is None else repr(row.high),
                    "" if row.met is None else str(row.met).lower(),
                    "" if row.n is None else row.n,
                    *(("", "") if row.interval is None else (f"{x:.4f}" for x in row.interval)),
                ]
            )
    return out.getvalue().encode("utf-8")


def git_blob_id(content: bytes) -> str:
    """The id git gives these bytes as a blob (`git hash-object`), to check against a commit."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


def _manifest(
    portfolio: Portfolio,
    source: SourceInfo,
    as_of: dt.date,
    attachments: dict[str, Published],
    release: Release | None = None,
) -> bytes:
    inputs: list[dict[str, object]] = []
    base = portfolio.root.parent
    in_git = source.commit is not None
    for rel in portfolio.files:
        content = (base / rel).read_bytes()
        entry: dict[str, object] = {"path": rel, "sha256": hashlib.sha256(content).hexdigest()}
        if in_git:
            entry["git_blob"] = git_blob_id(content)
        inputs.append({**entry, "published": None})
    for path, published in sorted(attachments.items()):
        entry = {"path": f"{portfolio.root.name}/{path}", "sha256": published.sha256}
        if in_git:
            entry["git_blob"] = published.git_blob
        inputs.append({**entry, "published": published.path, "size": published.size})
    document = {
        "schema_version": 1,
        "portfolio": portfolio.config.id,
        "source_commit": source.commit,
        "uncommitted_changes": source.dirty,
        "as_of": as_of.isoformat(),
        "inputs": sorted(inputs, key=lambda x: str(x["path"])),
    }
    if release is not None:  # a published version: which, and the one it follows
        document["release"] = {"version": release.version, "previous": release.previous}
    return (jsontext.dumps(document) + "\n").encode("utf-8")


#: Journeys of more scope-months, evidence-months and requirement-months than this are computed
#: in a child process while the site's files are made (at the scale benchmark's full size the
#: journey takes 6 s, about 20 µs for each).
JOURNEY_POOL_FROM = 50_000


def _journey_later(
    portfolio: Portfolio, as_of: dt.date, workers: int | None, cache_dir: Path | None
) -> Callable[[], Journey]:
    """The journey, to be asked for when needed: kept in `cache_dir` (`journeycache`), else
    computed now when it is small or `workers` is 1, else in a child process meanwhile
    (`background`)."""
    store = JourneyCache(cache_dir / "journey") if cache_dir is not None else None
    key = journey_key(portfolio, as_of) if store is not None else b""
    cached = store.get(portfolio.root, key) if store is not None else None
    if cached is not None:
        return lambda: cached

    def keep(journey: Journey) -> Journey:
        if store is not None:
            store.put(portfolio.root, key, journey)
        return journey

    scopes = sum(len(metric.scope) for metric in portfolio.metrics.values())
    records = len(portfolio.evidence) + len(portfolio.requirements) + scopes
    large = len(journey_dates(portfolio, as_of)) * records >= JOURNEY_POOL_FROM
    journey = background.later(
        lambda: assess_journey(portfolio, as_of), background=large and workers != 1
    )
    return lambda: keep(journey())


#: Portfolios with more requirements and evidence items than this make `assessment.json` and
#: the request list's downloads in a child process while the pages are rendered (4 s at the
#: scale benchmark's full size, 5,700 records).
DOWNLOADS_POOL_FROM = 2_000


def downloads(assessment: Assessment, lint: list[Diagnostic], epoch: int) -> dict[str, bytes]:
    """`assessment.json` and the request list's CSV and XLSX."""
    title = assessment.portfolio.config.title
    made = {"assessment.json": assessment_json(assessment, lint).encode("utf-8")}
    return made | requests.files(assessment, title, epoch)


def _downloads_later(
    assessment: Assessment, lint: list[Diagnostic], epoch: int, workers: int | None
) -> Callable[[], dict[str, bytes]]:
    """`downloads`, to be asked for when needed: made now for a small portfolio or one worker,
    else in a child process meanwhile (`background`)."""
    portfolio = assessment.portfolio
    large = len(portfolio.requirements) + len(portfolio.evidence) >= DOWNLOADS_POOL_FROM
    return background.later(
        lambda: downloads(assessment, lint, epoch), background=large and workers != 1
    )


@contextlib.contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    """Add the seconds the block takes to `timings[stage]`."""
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def generate_site(
    portfolio_dir: Path,
    *,
    template_dirs: Sequence[Path] = (),
    cache_dir: Path | None = None,
    workers: int | None = None,
    progress: bool | None = None,
    report: Report | None = None,
    release: Release | None = None,
) -> tuple[Site | None, Report]:
    """Build every page and file of the site; None (and the reasons) when validation fails.
    With `cache_dir`, charts are cached there and parsed files in its `parse` folder."""
    with heap.build():  # the model, assessment and pages are not walked by every full pass
        return _generate(
            portfolio_dir, template_dirs, cache_dir, workers, progress, report, release
        )


def _generate(
    portfolio_dir: Path,
    template_dirs: Sequence[Path],
    cache_dir: Path | None,
    workers: int | None,
    progress: bool | None,
    report: Report | None,
    release: Release | None,
) -> tuple[Site | None, Report]:
    timings: dict[str, float] = {}
    with _timed(timings, "load"):
        parses = ParseCache(cache_dir / "parse") if cache_dir is not None else None
        portfolio, report = validate_portfolio(portfolio_dir, report, cache=parses)
    if portfolio is None:
        return None, report
    heap.keep()

    with _timed(timings, "assess"):
        assessment = assess_portfolio(portfolio)
        checks = readiness(assessment)
        lint = [r.diagnostic for r in checks]
        journey_of = _journey_later(portfolio, assessment.as_of, workers, cache_dir)  # by month
    heap.keep()

    labels = Labels(portfolio.config.language)
    with _timed(timings, "charts"):
        specs: dict[str, charts.ChartSpec] = {
            f"metrics/{mid}.svg": charts.metric_chart(result, labels)
            for mid, result in assessment.metrics.items()
        }
        specs["charts/overview.svg"] = charts.overview_chart(assessment, labels)
        specs["charts/findings.svg"] = charts.findings_chart(assessment, labels)
        specs.update(comparechart.compare_charts(assessment, labels))  # split metrics' scopes
        files = dict(
            chartcache.render_charts(specs, cache_dir=cache_dir, workers=workers, progress=progress)
        )

    with _timed(timings, "render"):
        source = source_info(portfolio.root, assessment.as_of)
        attachments: dict[str, Published] = {}
        for item in portfolio.evidence.values():
            for attachment in item.attachments:
                if attachment.path in attachments:
                    continue
                content = _read_attachment(
                    portfolio.root / attachment.path, portfolio.config.attachment_mb << 20
                )
                site_path = f"files/{attachment.path}"
                files[site_path] = content
                digest = hashlib.sha256(content).hexdigest()
                attachments[attachment.path] = Published(
                    site_path, len(content), digest, git_blob_id(content)
                )
        for mid in assessment.metrics:
            files[f"metrics/{mid}.csv"] = _data_csv(assessment, mid)
        downloads = _downloads_later(assessment, lint, source.epoch, workers)
        files["manifest.json"] = _manifest(
            portfolio, source, assessment.as_of, attachments, release
        )
        changes = changes_since(release, portfolio.root, assessment.as_of) if release else None
        validation = [d for d in report.sorted() if d.level is Level.WARNING]

    with _timed(timings, "assess"):  # waiting for the journey, when it is made meanwhile
        journey = journey_of()
    with _timed(timings, "charts"):
        spec = charts.journey_chart(journey, portfolio.config.categories, labels)
        specs["charts/journey.svg"] = spec
        files.update(chartcache.render_charts({"charts/journey.svg": spec}, cache_dir=cache_dir))
        files["journey.csv"] = journey_csv(journey).encode("utf-8")
        chart_alt = {Path(name).stem: charts.alt_text(spec) for name, spec in specs.items()}
    with _timed(timings, "render"):
        data = SiteData(
            assessment,
            labels,
            source,
            chart_alt,
            attachments,
            checks,
            validation,
            changes,
            suspects_by_record(portfolio),
            journey=journey,
        )
        pages = render_pages(data, [*template_dirs, default_templates()], workers)
        files.update(downloads())
    heap.keep()
    site = Site(
        pages,
        dict(sorted(files.items())),
        frozenset(p.path for p in attachments.values()),
        portfolio.config.language,
        source,
        timings,
        tuple(sorted([*validation, *lint], key=Diagnostic.sort_key)),
    )
    return site, report


def write_site(site: Site, out_dir: Path, protected: Sequence[tuple[str, Path]] = ()) -> None:
    """Write the generated folder (pages and files) to `out_dir`, replacing it only whole.

    The target is checked first (`output.check_target`): nothing in `protected` and no
    folder that certfolio did not write is ever replaced. The new folder is written beside
    the old one and swapped in, so a failure half way leaves the previous folder as it was.
    """
    out_dir = output.check_target(out_dir, protected)
    with output.output_lock(out_dir):
        output.sweep(out_dir)
        staging = output.new_staging(out_dir)
        try:
            for rel, text in site.pages.items():
                target = staging / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, "utf-8")
            for rel, content in site.files.items():
                target = staging / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
            output.swap_in(staging, out_dir)
        except BaseException:
            output.discard(staging)
            raise
