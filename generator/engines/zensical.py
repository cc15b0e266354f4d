"""The Zensical adapter: the generated folder first, then Zensical builds it.

Zensical, the successor of Material for MkDocs, reads `mkdocs.yml` but runs no third-party
plugin. So `build_site` does before the build what the MkDocs plugin does during one: it reads
the certfolio entry of the user's `mkdocs.yml`, runs `generate_site`, and writes a private
project beside the target: a docs folder (the user's own pages, the generated pages and files,
our stylesheet), the theme overrides (ours, then the user's file by file) and a configuration
(the portfolio's language, the navigation, no fonts, no certfolio or mike entry). Zensical runs
on it as a subprocess (`python -m zensical build --strict`, with a timeout); every warning it
prints is a problem. Then the content of every page and the search index are sanitised with
nh3, and the site is swapped in with the same safety as the MkDocs driver.

Attachments stay downloads: Zensical renders every `.md` file into a page and rewrites links
to it, so an attachment that is a `.md` file gets an empty placeholder page for Zensical's link
check, whose output is removed afterwards; the attachment's own bytes are then written at its
`files/...` path and the links to the placeholder point back at them.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import secrets
import subprocess
import sys
import tempfile
import time
from html import escape
from importlib import util
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from generator.diagnostics import format_report, visible
from generator.engines.common import BuildResult
from generator.engines.zensical_project import (
    Project,
    is_page,
    read_project,
    write_config,
    write_docs,
    write_file,
)
from generator.errors import CertfolioError
from generator.site import output
from generator.site.build import Site, generate_site
from generator.site.sanitise import sanitise

#: How long Zensical may run before the build is given up (seconds).
TIMEOUT = 600.0


# --- running Zensical ------------------------------------------------------------------

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_WHERE = re.compile(r"╭─\[ (.+?) \]")


def _problems(log: str) -> list[str]:
    """Zensical's warnings and errors, one line each (`path:line:col: message`)."""
    lines = [_ANSI.sub("", line).rstrip() for line in log.splitlines()]
    found = []
    for i, line in enumerate(lines):
        if line.startswith(("Warning:", "Error:")):
            level, _, message = line.partition(": ")
            where = next((m.group(1) for x in lines[i + 1 : i + 3] if (m := _WHERE.search(x))), "")
            found.append(f"{where}: {level.lower()}: {message}" if where else line)
    return found


def _run_zensical(config: Path, cwd: Path, epoch: int, timeout: float) -> list[str]:
    """Zensical's build, strict; its problems (none when it built cleanly)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    command = [sys.executable, "-m", "zensical", "build", "--strict", "-f", str(config)]
    try:
        done = subprocess.run(
            command,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [f"Zensical did not finish within {timeout:g} s"]
    except OSError as exc:
        return [f"Zensical could not be started: {exc}"]
    log = done.stdout + done.stderr
    problems = _problems(log)
    if done.returncode != 0 and not problems:
        last = [x for x in (_ANSI.sub("", y).strip() for y in log.splitlines()) if x]
        problems = [f"Zensical failed: {last[-1] if last else f'exit code {done.returncode}'}"]
    return [f"zensical: {visible(p)}" for p in problems]


# --- after the build: attachments back, every page sanitised ---------------------------

_ARTICLE = re.compile(
    r'<article\b[^>]*\bclass="md-content__inner\b[^>]*>\s*(<a id="__skip"[^>]*></a>)?'
)
_HREF = re.compile(r'href="([^"]*)"')
_SITEMAP_URL = re.compile(r"\s*<url>\s*<loc>([^<]*)</loc>.*?</url>", re.S)


def _html_of(rel: str, directory_urls: bool) -> str:
    """Where Zensical writes the page built from `rel` (a Markdown path)."""
    stem = rel[: -len(".md")]
    if not directory_urls or stem == "index" or stem.endswith("/index"):
        return f"{stem}.html"
    return f"{stem}/index.html"


def _canonical(url_path: str) -> str:
    """A site path with `x/index.html` and `x/` both as `x`, for comparing links."""
    path = posixpath.normpath(url_path)
    return path[: -len("/index.html")] if path.endswith("/index.html") else path


def _relink(html: str, page: str, moved: dict[str, str]) -> str:
    """Links to a placeholder's page point at the attachment's own bytes again."""
    base = posixpath.dirname(page)

    def fix(match: re.Match[str]) -> str:
        parts = urlsplit(match.group(1))
        if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
            return match.group(0)
        target = moved.get(_canonical(posixpath.join(base, unquote(parts.path))))
        if target is None:
            return match.group(0)
        return f'href="{quote(posixpath.relpath(target, base or "."), safe="/")}"'

    return _HREF.sub(fix, html)


def _clean_page(html: str, end: str) -> str | None:
    """The page with its content (between the theme's article start and our end comment, or
    the article's end) sanitised; None when the page has no such article."""
    start = _ARTICLE.search(html)
    if start is None:
        return None
    stop = html.find(end, start.end())
    if stop < 0:
        stop = html.rfind("</article>")
        if stop < start.end():
            return None
    tail = html[stop:].replace(end, "", 1)
    content = sanitise(html[start.end() : stop]).replace(escape(end), "")  # in an open fence
    return html[: start.end()] + content + tail


def _clean_index(path: Path, moved: dict[str, str]) -> None:
    """The search index without the placeholders, its titles and texts sanitised."""
    index = json.loads(path.read_text("utf-8"))
    items = []
    for item in index.get("items", []):
        location = str(item.get("location", "")).partition("#")[0]
        if _canonical(unquote(location) or ".") in moved:
            continue
        for key in ("title", "text"):
            if isinstance(item.get(key), str):
                item[key] = sanitise(item[key])
        items.append(item)
    index["items"] = items
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), "utf-8")


def _clean_sitemap(path: Path, moved: dict[str, str]) -> None:
    """The sitemap without the placeholders' pages."""

    def keep(match: re.Match[str]) -> str:
        where = _canonical(unquote(urlsplit(match.group(1)).path))
        return "" if any(where == m or where.endswith(f"/{m}") for m in moved) else match.group(0)

    path.write_text(_SITEMAP_URL.sub(keep, path.read_text("utf-8")), "utf-8")


def _finish(built: Path, site: Site, pages: list[str], end: str, directory_urls: bool) -> None:
    """Placeholders out, attachments in, every page's content and the search index sanitised;
    a `CertfolioError` when a page's content could not be found."""
    moved: dict[str, str] = {}
    for rel in site.verbatim:
        if is_page(rel):
            html = _html_of(rel, directory_urls)
            moved[_canonical(html)] = rel
            (built / html).unlink(missing_ok=True)
    ours = {_html_of(rel, directory_urls) for rel in pages}  # a user's page may be excluded
    missing = {_html_of(rel, directory_urls) for rel in site.pages}
    for path in sorted(built.rglob("*.html")):
        rel = path.relative_to(built).as_posix()
        if rel in site.verbatim:
            continue
        clean = _clean_page(path.read_text("utf-8"), end)
        if clean is None:
            if rel in ours:
                raise CertfolioError(f"could not find the content of {rel} to sanitise")
            continue
        missing.discard(rel)
        path.write_text(_relink(clean, rel, moved), "utf-8")
    if missing:
        raise CertfolioError(f"Zensical wrote no page {sorted(missing)[0]}")
    if (built / "search.json").is_file():
        _clean_index(built / "search.json", moved)
    if (built / "sitemap.xml").is_file():
        _clean_sitemap(built / "sitemap.xml", moved)
    for rel in site.verbatim:  # the bytes the manifest lists, whatever Zensical copied
        write_file(built / rel, site.files[rel])
        if is_page(rel) and directory_urls:
            stub_dir = built / _html_of(rel, True)[: -len("/index.html")]
            if stub_dir.is_dir() and not any(stub_dir.iterdir()):
                stub_dir.rmdir()


# --- the driver ------------------------------------------------------------------------


def build_site(
    config_file: Path,
    site_dir: Path | None = None,
    *,
    strict: bool = False,
    clean: bool = False,
    timeout: float = TIMEOUT,
) -> BuildResult:
    """Generate the site, build it with Zensical into a fresh folder, and swap it in unless
    anything was reported (the same target checks, lock and swap as the MkDocs driver).

    With `strict`, validation and readiness warnings fail the build too. Timings: the
    generator's stages (load, assess, charts, render) and "zensical", the rest. `clean` is
    accepted like the MkDocs driver's, and every Zensical build is clean: Zensical (0.0.73)
    keeps no build state between runs (its cache holds fetched icons and social cards), so
    incremental rebuilds are the MkDocs driver's.
    """
    project = read_project(config_file)
    target = output.check_target(Path(site_dir or project.site_dir), project.protected())
    if util.find_spec("zensical") is None:
        return BuildResult(
            ["Zensical is not installed: pip install 'certfolio[zensical]'"],
            previous_kept=target.exists(),
        )
    try:
        with output.output_lock(target):
            return _build_locked(project, target, strict, timeout)
    except output.OutputBusy as exc:
        return BuildResult([exc.message], previous_kept=target.exists())


def _generate(project: Project, strict: bool) -> Site:
    """The generated site, or a `CertfolioError` with the portfolio's problems."""
    templates = [project.templates] if project.templates else []
    site, report = generate_site(
        project.portfolio,
        template_dirs=templates,
        cache_dir=project.cache_dir,
        workers=project.workers,
    )
    if site is None:
        raise CertfolioError("the portfolio has errors:\n" + format_report(report))
    if strict and site.warnings:
        raise CertfolioError(
            "the portfolio has warnings (--strict)",
            [
                f"{visible(str(d.span))}: {d.level.value}: {visible(d.message)} [{d.code}]"
                for d in site.warnings
            ],
        )
    return site


def _build_locked(project: Project, target: Path, strict: bool, timeout: float) -> BuildResult:
    start = time.perf_counter()
    output.sweep(target)
    # a private project beside the target: a killed build is swept like a staging folder
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
    timings: dict[str, float] = {}
    try:
        site = _generate(project, strict)
        timings.update(site.timings)
        end = f"<!-- certfolio-end-{secrets.token_hex(8)} -->"
        pages = write_docs(work / "docs", project, site, end)
        config = write_config(work, project, site, [p for p in pages if p not in site.pages])
        problems = _run_zensical(config, project.config_file.parent, site.source.epoch, timeout)
        if problems:
            return BuildResult(problems, timings, previous_kept=target.exists())
        directory_urls = project.settings.get("use_directory_urls", True) is not False
        _finish(work / "site", site, pages, end, directory_urls)
        output.swap_in(work / "site", target)
    except CertfolioError as exc:
        return BuildResult([exc.message, *exc.details], timings, previous_kept=target.exists())
    finally:
        output.discard(work)
    timings["zensical"] = time.perf_counter() - start - sum(timings.values())
    return BuildResult([], timings, previous_kept=False)
