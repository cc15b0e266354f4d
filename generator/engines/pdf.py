"""`certfolio pdf`: the whole portfolio as one PDF binder, printed by Chromium.

The site is built as `certfolio site --clean` builds it, into a temporary folder (the real
`site/` is not touched); `binder.assemble` puts its pages into one HTML document at the
temporary site's root, and Chromium (Debian's, driven by Playwright: `certfolio[pdf]`) prints
it with the site's own print stylesheet: charts stay SVG, so they are vector graphics in the
PDF, fonts are embedded, links between sections are internal links, and every page has a
footer with its number. Printing runs twice: the first print tells on which page each section
starts (Chromium names a destination for every link target), the numbers go into the contents
(their placeholders have the same width, so nothing moves), and the second print is the
binder; a check reads the destinations again and fails if anything moved.

Then pypdf adds the outline (bookmarks: the parts, each category with its requirements, each
metric, finding and evidence item, the registers), and makes the bytes reproducible: the
document information (title, author, dates) and the file identifier are derived from the
portfolio and its commit time, never from the clock, so the same commit gives the same PDF.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import json
import os
import re
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject, Fit, NameObject, TextStringObject

from generator import __version__
from generator.engines.binder import Binder, Entry, assemble
from generator.engines.mkdocs import CertfolioPlugin, build_site
from generator.engines.offline import pack_name, site_dir_of
from generator.errors import CertfolioError, UsageError
from generator.portfolio.validate import validate_portfolio

#: Chromium to print with; CERTFOLIO_CHROMIUM names another one.
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
MARGIN = {"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"}
BINDER_FILE = "certfolio-binder.html"

#: The binder's own layout, on top of the site's stylesheets (printed).
CSS = """
@page { size: A4; }
.md-typeset { font-size: 0.68rem; }
.cf-binder-break { break-before: page; }
.cf-binder-flow { border-top: 1px solid #999; margin-top: 1.5em; }
.cf-binder-cover { min-height: 240mm; display: flex; flex-direction: column;
  justify-content: center; }
.cf-binder-cover .cf-binder-title { font-size: 2.2em; margin: 0.2em 0 1em; }
.cf-binder-org { font-size: 1.3em; margin: 0; }
.cf-binder-facts dt { font-weight: 700; margin-top: 0.8em; }
.cf-binder-facts dd { margin-left: 0; }
.cf-binder-facts ul { margin: 0.2em 0; }
.cf-binder-muted { color: #555; }
.cf-binder-contents { break-before: page; }
.cf-binder-contents ol { list-style: none; margin: 0; padding: 0; }
.md-typeset .cf-binder-contents li { margin: 0; padding: 0; }
.md-typeset .cf-binder-contents a { display: flex; color: #000; text-decoration: none; }
.cf-binder-section > :is(h1, h2, h3):first-child { font-size: 1.6em; font-weight: 400;
  margin: 0 0 0.8em; color: #000; text-transform: none; letter-spacing: normal; }
.md-typeset :is(h4, h5, h6) { color: #000; text-transform: none; letter-spacing: normal; }
.md-typeset h4 { font-size: 1.15em; font-weight: 700; }
.md-typeset h5 { font-size: 1em; font-weight: 700; }
.md-typeset h6 { font-size: 0.95em; font-weight: 700; font-style: italic; }
.cf-binder-contents a::after { content: none !important; }
.cf-toc-title { flex: 1; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
.cf-toc-page { width: 3em; text-align: right; font-variant-numeric: tabular-nums; }
.cf-toc-l1 { font-weight: 700; margin-top: 0.5em !important; }
.cf-toc-l2 { padding-left: 1.2em !important; }
.cf-toc-l3 { padding-left: 2.4em !important; }
"""


@dataclass
class PdfResult:
    """What `build_pdf` did: the problems that stopped it, or the PDF it wrote."""

    problems: list[str]
    path: Path | None = None
    pages: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def chromium() -> Path:
    found = Path(os.environ.get("CERTFOLIO_CHROMIUM", str(CHROMIUM)))
    if not os.access(found, os.X_OK):
        raise UsageError(
            f"Chromium is not installed ({found}); the PDF is printed with it",
            [
                "`make browser-deps` or `apt-get install chromium` installs it; "
                "CERTFOLIO_CHROMIUM names another Chromium"
            ],
        )
    return found


def _footer(left: str) -> str:
    return (
        '<div style="font-size:7pt;width:100%;margin:0 14mm;display:flex;'
        'font-family:sans-serif;color:#444">'
        f'<span style="flex:1">{html.escape(left)}</span>'
        '<span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>'
    )


def _starts(pdf: bytes, entries: list[Entry]) -> dict[str, tuple[int, float, float]]:
    """Where each section starts: (page index, left, top) of its named destination."""
    reader = PdfReader(io.BytesIO(pdf))
    found = {str(name).lstrip("/"): dest for name, dest in reader.named_destinations.items()}
    starts = {}
    for entry in entries:
        dest = found.get(entry.anchor)
        page = reader.get_destination_page_number(dest) if dest is not None else None
        if dest is None or page is None:
            raise CertfolioError(f"the binder's section {entry.page} has no destination")
        starts[entry.anchor] = (page, float(dest.left or 0), float(dest.top or 0))
    return starts


def print_binder(path: Path, binder: Binder, footer: str) -> tuple[bytes, dict[str, Any]]:
    """Print the binder at `path` twice (see the module's docstring): the PDF and where each
    section starts. Playwright's synchronous API runs in a thread of its own, so a caller
    that already runs Playwright (or an asyncio loop) in its thread can still print."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="certfolio-pdf") as pool:
        return pool.submit(_print_binder, path, binder, footer).result()


def _print_binder(path: Path, binder: Binder, footer: str) -> tuple[bytes, dict[str, Any]]:
    try:
        from playwright.sync_api import Route, sync_playwright
    except ImportError:
        raise UsageError(
            "Playwright is not installed; the PDF is printed with it",
            ["pip install 'certfolio[pdf]'"],
        ) from None
    executable = chromium()

    def local_only(route: Route) -> None:  # the binder needs nothing from the network
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    options: dict[str, Any] = {
        "format": "A4",
        "print_background": True,
        "display_header_footer": True,
        "header_template": "<span></span>",
        "footer_template": _footer(footer),
        "margin": MARGIN,
        "tagged": True,
        "outline": False,  # ours, from the sections (pypdf), not one per heading
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=LAUNCH_ARGS)
        try:
            context = browser.new_context()
            context.route("**/*", local_only)
            page = context.new_page()
            page.goto(path.as_uri(), wait_until="load")
            page.emulate_media(media="print")
            page.evaluate("document.fonts.ready")
            first = page.pdf(**options)
            starts = _starts(first, binder.entries)
            numbers = {anchor: str(start[0] + 1) for anchor, start in starts.items()}
            page.evaluate(
                """numbers => document.querySelectorAll(".cf-toc-page").forEach(
                    span => { span.textContent = numbers[span.dataset.anchor]; })""",
                numbers,
            )
            pdf = page.pdf(**options)
        finally:
            browser.close()
    final = _starts(pdf, binder.entries)
    moved = [a for a in final if final[a][0] != starts[a][0]]
    if moved:
        raise CertfolioError(f"the binder's page numbers moved when filled in: {moved[:5]}")
    return pdf, final


def _pdf_date(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("D:%Y%m%d%H%M%S+00'00'")


#: Chromium's dates, which come from the clock: patched to the commit time, same length.
CLOCK_DATE = re.compile(rb"/(CreationDate|ModDate) \((D:\d{14}[^)]{0,8})\)")
#: The file identifier's placeholder, replaced by a hash of the finished file.
NO_ID = b"<" + b"0" * 32 + b">"
#: Chromium names the tagged PDF's structure elements after its DOM nodes (`(node00000596)`),
#: whose numbers depend on how many nodes scripts had made when it printed.
NODE_ID = re.compile(rb"\(node(\d{8})\)")


def renumbered_nodes(pdf: bytes) -> bytes:
    """The structure elements' names numbered by rank (1, 2, ...): the same for the same
    binder, in the same order (the ID tree stays sorted) and the same length (offsets hold)."""
    numbers = sorted({int(found) for found in NODE_ID.findall(pdf)})
    rank = {number: k for k, number in enumerate(numbers, 1)}
    return NODE_ID.sub(lambda match: b"(node%08d)" % rank[int(match.group(1))], pdf)


def finish(
    pdf: bytes, binder: Binder, starts: dict[str, Any], info: dict[str, str], language: str
) -> tuple[bytes, int]:
    """Chromium's PDF with the outline, fixed metadata and a file identifier that is a hash
    of the content, appended as an incremental update (pypdf): Chromium's own bytes stay as
    they are, except its dates, which become the commit time, and its structure elements'
    names (`renumbered_nodes`)."""

    def fixed(match: re.Match[bytes]) -> bytes:  # the same length: offsets stay right
        key, inner = match.group(1), match.group(2)
        date = info[f"/{key.decode()}"].encode()[: len(inner)].ljust(len(inner))
        return b"/" + key + b" (" + date + b")"

    pdf = renumbered_nodes(CLOCK_DATE.sub(fixed, pdf))
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    parents: list[Any] = [None, None, None]
    for entry in binder.entries:
        page, left, top = starts[entry.anchor]
        parent = parents[entry.level - 2] if entry.level > 1 else None
        item = writer.add_outline_item(
            title=entry.title, page_number=page, parent=parent, fit=Fit.xyz(left=left, top=top)
        )
        parents[entry.level - 1] = item
        for deeper in range(entry.level, 3):
            parents[deeper] = None
    if writer._info is not None:
        writer._info.clear()
    writer.add_metadata(info)
    writer._root_object[NameObject("/PageMode")] = NameObject("/UseOutlines")
    writer._root_object[NameObject("/Lang")] = TextStringObject(language)
    zero = ByteStringObject(bytes(16))
    writer._ID = ArrayObject([zero, zero])
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    tail = data.rindex(b"startxref")
    if data.count(NO_ID, 0, tail) < 2:
        raise CertfolioError("the PDF's file identifier was not written where expected")
    # the identifier: a hash of the finished file, so the same binder has the same one
    digest = ("<" + hashlib.sha256(data).hexdigest()[:32] + ">").encode()
    return data[:tail].replace(NO_ID, digest) + data[tail:], len(writer.pages)


def _check_target(target: Path) -> None:
    """Refuse to write over anything but a PDF (a typo in -o must not replace mkdocs.yml)."""
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise UsageError(f"refusing to write the PDF to {target}: it is not a file")
    if target.exists():
        with target.open("rb") as existing:
            if existing.read(5) != b"%PDF-":
                raise UsageError(
                    f"refusing to replace {target}: it is not a PDF",
                    ["remove it yourself, or choose another file with -o"],
                )


def build_pdf(config_file: Path, output: Path | None = None) -> PdfResult:
    """Build the site into a temporary folder, assemble the binder, print it, finish it."""
    start = time.perf_counter()
    if output is not None:
        _check_target(output)  # before any work
    captured: dict[str, CertfolioPlugin] = {}

    def prepare(config: MkDocsConfig) -> None:
        plugin = config.plugins.get("certfolio")
        if isinstance(plugin, CertfolioPlugin):
            plugin.keep_state = False
            captured["plugin"] = plugin

    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="certfolio-pdf-") as scratch:
        site = Path(scratch) / "site"
        result = build_site(config_file, site, clean=True, prepare=prepare)
        if result.problems:
            return PdfResult(result.problems, timings=result.timings)
        plugin = captured.get("plugin")
        if plugin is None or plugin.site is None:
            return PdfResult([f"the certfolio plugin is not configured in {config_file}"])
        timings["site"] = time.perf_counter() - start
        portfolio, report = validate_portfolio(Path(plugin.config.portfolio))
        if portfolio is None:
            return PdfResult([f"{d.span}: {d.message}" for d in report.sorted()])
        manifest = json.loads(plugin.site.files["manifest.json"])
        assessment = json.loads(plugin.site.files["assessment.json"])
        binder = assemble(site, portfolio, assessment, manifest, CSS)
        (site / BINDER_FILE).write_text(binder.html, "utf-8")
        config = portfolio.config
        footer = f"{config.organisation} · {config.title} · {config.as_of.isoformat()}"
        printing = time.perf_counter()
        pdf, starts = print_binder(site / BINDER_FILE, binder, footer)
        timings["print"] = time.perf_counter() - printing
        epoch = plugin.site.source.epoch
    standards = ", ".join(
        " ".join(x for x in (s.name, s.release) if x) for s in config.standards if s.primary
    )
    info = {
        "/Title": config.title,
        "/Author": config.organisation,
        "/Subject": f"{standards} · {config.as_of.isoformat()}",
        "/Creator": f"certfolio {__version__}",
        "/Producer": f"certfolio {__version__} (Chromium, pypdf)",
        "/CreationDate": _pdf_date(epoch),
        "/ModDate": _pdf_date(epoch),
    }
    finishing = time.perf_counter()
    finished, pages = finish(pdf, binder, starts, info, config.language)
    timings["finish"] = time.perf_counter() - finishing
    name = pack_name(config.id, config.as_of.isoformat(), "binder")
    target = output or site_dir_of(config_file).absolute().parent / f"{name}.pdf"
    _check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    with os.fdopen(handle, "wb") as out:
        out.write(finished)
    os.chmod(partial, 0o644)
    os.replace(partial, target)
    timings["total"] = time.perf_counter() - start
    return PdfResult([], target, pages, timings)
