"""The MkDocs adapter: with its incremental half (`mkdocs_incremental`), the only modules
that import MkDocs.

`CertfolioPlugin` runs the generator during `mkdocs build` / `mkdocs serve` (and so under
`mike deploy`), adds its pages and files as generated files (nothing generated is committed),
sets Material's language and the navigation from the portfolio, watches the portfolio and the
templates, and sanitises the HTML of every page with nh3 as a second line of defence (hand-written
pages in the docs folder too: they arrive by pull request like the portfolio).

`build_site` is what `make site` runs: a strict build into a fresh folder beside the target
(a copy of the previous site when there is one, rebuilt incrementally), swapped in only when
MkDocs reported no warning at all.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from mkdocs.commands.build import build
from mkdocs.commands.serve import serve
from mkdocs.config import base, load_config
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, MkDocsException, PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from generator import heap
from generator.diagnostics import Report, format_report, visible
from generator.engines.common import (
    STYLESHEET,
    BuildResult,
    in_navigation,
    navigation,
    own_pages,
    packaged,
)
from generator.engines.incremental import STATE_FILE
from generator.engines.mkdocs_incremental import (
    GeneratedFile,
    IncrementalBuild,
    quiet_dirty_notice,
)
from generator.errors import CertfolioError, UsageError
from generator.site import output
from generator.site.build import Site, generate_site
from generator.site.escape import md_cell
from generator.site.i18n import Labels
from generator.site.release import Release
from generator.site.render import SourceInfo, front_matter
from generator.site.sanitise import sanitise

log = get_plugin_logger(__name__)


class VerbatimFile(GeneratedFile):
    """An attachment: copied as it is, never rendered, whatever its extension."""

    def is_documentation_page(self) -> bool:
        return False

    def is_static_page(self) -> bool:
        return False

    def is_media_file(self) -> bool:
        return True


class CertfolioConfig(base.Config):
    portfolio = c.Dir(exists=True)
    templates = c.Optional(c.Dir(exists=True))
    cache_dir = c.Type(str, default=".cache/certfolio")
    workers = c.Optional(c.Type(int))


def error_site(report: Report, portfolio: Path) -> Site:
    """A one-page site listing the portfolio's errors (escaped), for `mkdocs serve`."""
    lines = [
        f"| {md_cell(str(d.span))} | {md_cell(d.level.value)} | {md_cell(d.message)} "
        f"| {md_cell(d.hint or '')} | {d.code} |"
        for d in report.sorted()
    ]
    page = (
        front_matter("certfolio: the portfolio has errors")
        + "# The portfolio has errors\n\n"
        + "Fix them and save: this page is rebuilt and the site comes back.\n\n"
        + "| File | Level | Problem | Hint | Code |\n|---|---|---|---|---|\n"
        + "\n".join(lines)
        + "\n"
    )
    source = SourceInfo(None, False, 0)
    return Site({"index.md": page}, {}, frozenset(), "en", source, {}, ())


class CertfolioPlugin(IncrementalBuild, BasePlugin[CertfolioConfig]):
    """Generates the portfolio's pages into a MkDocs build.

    Incremental builds use MkDocs' dirty build (`mkdocs serve --dirty`, `mkdocs build --dirty`,
    and `certfolio site`, which sets `dirty` and `keep_state` itself): a generated page or file
    is rebuilt only when its content differs from the one the previous site was built from
    (`incremental.BuildState`, kept in the site folder). What a dirty build alone gets wrong is
    put right here: a different configuration, navigation, theme or renderer rebuilds
    everything; pages not rebuilt keep their navigation titles, their anchors (so links into
    them are still checked) and their search entries (from the previous search index, in the
    order a cold build writes them); files of pages that no longer exist are removed.
    """

    site: Site | None = None
    command = "build"

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command  # "serve": an invalid portfolio shows an error page instead
        self.dirty = dirty
        self.previous_site = None  # MkDocs' own commands update the site folder in place

    @event_priority(100)  # before Material's search, which reads the theme's language
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if self.dirty:
            quiet_dirty_notice()
        templates = [Path(self.config.templates)] if self.config.templates else []
        cache_dir = Path(self.config.cache_dir)
        if not cache_dir.is_absolute():  # relative to mkdocs.yml, like the other paths
            cache_dir = Path(config.config_file_path or ".").parent / cache_dir
        try:
            site, report = generate_site(
                Path(self.config.portfolio),
                template_dirs=templates,
                cache_dir=cache_dir,
                workers=self.config.workers,
                release=Release.from_environment(),  # set by `certfolio publish`
            )
        except CertfolioError as exc:  # a template error: name the file and line, no traceback
            raise PluginError("\n  ".join([exc.message, *exc.details])) from None
        if site is None and self.command == "serve":
            # while serving, a broken file must not leave the browser waiting: show the
            # problems as the only page, and the next save that fixes them rebuilds the site
            log.error("the portfolio has errors:\n" + format_report(report))
            site = error_site(report, Path(self.config.portfolio))
        if site is None:
            raise PluginError("the portfolio has errors:\n" + format_report(report))
        # a portfolio mid-journey has warnings (no evidence yet, a data gap): the site shows
        # them on its warnings page and the build goes on; `certfolio site --strict` refuses
        for diagnostic in site.warnings:
            where, message = visible(str(diagnostic.span)), visible(diagnostic.message)
            log.info(f"{where}: {message} [{diagnostic.code}]")
        self.site = site
        # sitemap dates and gzip headers come from the portfolio's commit, not the clock;
        # the variable is set for this build only and restored afterwards
        self._saved_epoch = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(site.source.epoch)
        config.theme["language"] = site.language
        # the version selector only in a mike deployment (mike builds with MIKE_DOCS_VERSION
        # set): elsewhere it would ask for a versions.json that is not there (overrides/main.html)
        config.extra.setdefault("deployed_version", os.environ.get("MIKE_DOCS_VERSION"))
        if not config.nav and "traceability.md" in site.pages:
            own = own_pages(Path(config.docs_dir), site)
            config.nav = navigation(site, Labels(site.language), own)
        # the theme overrides and the stylesheet come from the installed package: a user's
        # mkdocs.yml needs no path into certfolio; their custom_dir still wins file by file
        overrides = str(packaged("overrides"))
        if overrides not in config.theme.dirs:
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, overrides)
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        assert self.site is not None
        if files.get_file_from_path(STYLESHEET) is None:  # a docs_dir copy overrides ours
            css = packaged("assets").joinpath("certfolio.css").read_bytes()
            files.append(File.generated(config, STYLESHEET, content=css))
        for path, text in self.site.pages.items():
            where = InclusionLevel.UNDEFINED if in_navigation(path) else InclusionLevel.NOT_IN_NAV
            self._add(files, GeneratedFile.generated(config, path, content=text, inclusion=where))
        for path, content in self.site.files.items():
            kind = VerbatimFile if path in self.site.verbatim else GeneratedFile
            self._add(files, kind.generated(config, path, content=content))
        self._plan(files, config)
        return files

    @staticmethod
    def _add(files: Files, file: File) -> None:
        if files.get_file_from_path(file.src_uri) is not None:
            raise PluginError(
                f"'{file.src_uri}' is generated by certfolio; remove it from docs_dir"
            )
        files.append(file)

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        # hand-written pages too: a docs folder is as open to a pull request as the portfolio
        return sanitise(html)

    def _restore_epoch(self) -> None:
        saved = getattr(self, "_saved_epoch", None)
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved

    @event_priority(100)  # before Material's search writes its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._restore_epoch()
        self._save_state(config)

    def on_build_error(self, *, error: Exception) -> None:
        self._restore_epoch()

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(self.config.portfolio)
        server.watch(str(packaged("pages")))
        if self.config.templates:
            server.watch(self.config.templates)
        return server


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _load(config_file: Path, **overrides: str) -> MkDocsConfig:
    """The MkDocs configuration, or a `UsageError` naming the file (never a traceback)."""
    try:
        return load_config(str(config_file), strict=True, **overrides)
    except (MkDocsException, OSError, yaml.YAMLError) as exc:
        raise UsageError(f"{config_file}: {exc}") from None


def _protected(config: MkDocsConfig, config_file: Path) -> list[tuple[str, Path]]:
    """What a site build must never write over: the configuration and everything it reads."""
    found = [
        ("the MkDocs configuration", config_file),
        ("the docs folder", Path(config.docs_dir)),
    ]
    custom_dir = config.theme.custom_dir
    if custom_dir:
        found.append(("the theme overrides folder", Path(custom_dir)))
    plugin = config.plugins.get("certfolio")
    if isinstance(plugin, CertfolioPlugin):
        found.append(("the portfolio", Path(plugin.config.portfolio)))
        if plugin.config.templates:
            found.append(("the templates folder", Path(plugin.config.templates)))
    return found


def build_site(
    config_file: Path,
    site_dir: Path | None = None,
    *,
    strict: bool = False,
    clean: bool = False,
    prepare: Callable[[MkDocsConfig], None] | None = None,
) -> BuildResult:
    """Build strictly into a fresh folder and swap it in, unless anything was reported.

    Never relies on `mkdocs build --strict -q` (which exits 0 on warnings): every warning
    MkDocs or a plugin logs is collected, and any warning keeps the previous site in place.
    The target is checked first (`output.check_target`): a folder that is not a previous
    certfolio output is never replaced. A second build of the same site while one runs
    fails fast instead of interleaving. With `strict`, validation and readiness warnings
    (which the site otherwise shows) fail the build too. Timings: the generator's stages
    (load, assess, charts, render) and "mkdocs", the rest.

    Incremental unless `clean`: when the target holds a state (`incremental.STATE_FILE`),
    MkDocs writes only the pages and files whose inputs changed into the empty staging
    folder (see `CertfolioPlugin`), and once it succeeded the staging folder gets the rest
    from the target as hard links (`_keep_unchanged`); the result is the same, byte for
    byte, as a clean build, and nothing of the previous site is copied or written.

    `prepare` may change the loaded configuration before the build (the offline copy adds
    Material's offline plugin with it: `offline.py`).
    """
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    config = _load(config_file)
    wanted = Path(site_dir) if site_dir else Path(config.site_dir)
    target = output.check_target(wanted, _protected(config, config_file))
    try:
        with output.output_lock(target):
            return _build_locked(config_file, target, strict, clean, prepare)
    except output.OutputBusy as exc:
        return BuildResult([exc.message], previous_kept=target.exists())


def _build_locked(
    config_file: Path,
    target: Path,
    strict: bool,
    clean: bool,
    prepare: Callable[[MkDocsConfig], None] | None = None,
) -> BuildResult:
    start = time.perf_counter()
    output.sweep(target)
    staging = output.new_staging(target)
    dirty = not clean and (target / STATE_FILE).is_file()  # MkDocs skips what did not change
    counter = _Counter()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(counter)
    timings: dict[str, float] = {}
    config = None
    try:
        config = _load(config_file, site_dir=str(staging))
        plugin = config.plugins.get("certfolio")
        if isinstance(plugin, CertfolioPlugin):
            plugin.dirty, plugin.keep_state = dirty, True
            plugin.previous_site = target  # read there; the new site is written to staging
        if prepare is not None:  # last: it may also change the plugin's settings
            prepare(config)
        with heap.build():  # the generated site is not walked by MkDocs' full collections
            build(config, dirty=dirty and isinstance(plugin, CertfolioPlugin))
    except (Abort, PluginError) as exc:
        counter.messages.append(str(exc))
    except BaseException:
        output.discard(staging)
        raise
    finally:
        logger.removeHandler(counter)
        plugin = config.plugins.get("certfolio") if config is not None else None
        if isinstance(plugin, CertfolioPlugin) and plugin.site is not None:
            timings.update(plugin.site.timings)
            if strict:  # warnings the site would show are problems for a CI gate
                counter.messages += [
                    f"{visible(str(d.span))}: {d.level.value}: {visible(d.message)} [{d.code}]"
                    for d in plugin.site.warnings
                ]
    if counter.messages:
        output.discard(staging)
        return BuildResult(counter.messages, timings, previous_kept=target.exists())
    try:
        if isinstance(plugin, CertfolioPlugin) and plugin.previous_site is not None:
            _keep_unchanged(plugin.kept, target, staging)
        output.swap_in(staging, target)
    except BaseException:
        output.discard(staging)
        raise
    timings["mkdocs"] = time.perf_counter() - start - sum(timings.values())
    return BuildResult([], timings, previous_kept=False)


def _keep_unchanged(kept: Sequence[str], previous: Path, staging: Path) -> None:
    """Give the new site the previous site's files that the build left unwritten because
    they did not change: hard links where the file system allows (instant, no second copy
    of the bytes; nothing writes into the new site any more), copies elsewhere. Until the
    swap, the previous site stays as it was."""
    for rel in kept:
        source, target = previous / rel, staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:  # another file system, or one without hard links
            shutil.copy2(source, target)


def serve_site(config_file: Path, address: str, *, incremental: bool = True) -> None:
    """`mkdocs serve` with live reload on `address` (host:port), after checking the port is
    free, so a busy port is one clear line instead of a traceback from the server thread.
    Incremental: a rebuild after a change is a dirty build, made correct by the plugin."""
    host, _, port = address.rpartition(":")
    if not port.isdigit():
        raise UsageError(f"not a host:port address: {address!r}")
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host.strip("[]") or "127.0.0.1", int(port)))
        except OSError as exc:
            raise UsageError(
                f"cannot serve on {address}: {exc.strerror or exc}",
                [
                    f"another server may be running there; try another port, e.g. -a {host}:"
                    f"{int(port) + 1} (make serve PORT={int(port) + 1})"
                ],
            ) from None
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    _load(config_file)  # a broken mkdocs.yml is a message, not a traceback
    serve(str(config_file), dev_addr=address, build_type="dirty" if incremental else None)
