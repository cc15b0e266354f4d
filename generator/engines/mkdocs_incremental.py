"""The MkDocs adapter's incremental half: MkDocs' dirty build, made correct.

MkDocs' dirty build (`mkdocs serve --dirty`, `mkdocs build --dirty`) skips every page whose
file did not change, and gets the rest wrong: a generated page always counts as changed,
pages not rebuilt lose their navigation titles and anchors, the search index holds only the
rebuilt pages, and files of pages that no longer exist stay. `IncrementalBuild`, mixed into
`CertfolioPlugin`, puts that right with the state the previous build left in the site
(`incremental.BuildState`): a generated page or file is rebuilt only when its content differs;
a different configuration, navigation, theme or renderer rebuilds everything; pages not
rebuilt keep their titles and meta (read, not rendered), their anchors (links into them are
still checked) and their search entries (from the previous index, in the order a cold build
writes them); files the previous build wrote and this one did not are removed. The result is
the cold build's, byte for byte (`tests/test_incremental.py`).

`certfolio site` builds into a new folder (`previous_site` is the site it replaces): there
MkDocs writes only what changed, and `kept` lists the rest (generated files with the same
content, and theme and docs files MkDocs' own rule finds up to date), which the caller
links in from the previous site after the build; nothing stale is there to remove.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import clean_directory

from generator.engines.incremental import (
    BuildState,
    build_key,
    digest,
    load_state,
    previous_entries,
    remove_stale,
    save_state,
)

#: Packages whose theme folders are identified by their version, not by listing their files.
THEMES = ("mkdocs", "material")
#: What MkDocs warns at the start of every dirty build: with this plugin it no longer applies,
#: and in strict mode it would fail the build.
DIRTY_WARNING = "A 'dirty' build is being performed"


class _DirtyNotice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(DIRTY_WARNING)


def quiet_dirty_notice() -> None:
    """Drop MkDocs' warning about dirty builds (once per process)."""
    logger = logging.getLogger("mkdocs.commands.build")
    if not any(isinstance(f, _DirtyNotice) for f in logger.filters):
        logger.addFilter(_DirtyNotice())


class GeneratedFile(File):
    """A page or file the generator made. In an incremental build `changed` says whether it
    differs from the previous site's: MkDocs' dirty build skips it when it does not."""

    changed = True

    def is_modified(self) -> bool:
        return self.changed


class KeptFile(File):
    """A file of the theme or the docs folder that the previous site holds as it is now (by
    MkDocs' own rule: not older than its source): MkDocs leaves it unwritten, and the build
    takes the previous site's (`IncrementalBuild.kept`)."""

    def is_modified(self) -> bool:
        return False


def _unchanged(file: File, previous_site: Path) -> bool:
    """MkDocs' `File.is_modified`, negated and asked of the previous site's copy."""
    if file.generated_by is not None or file.abs_src_path is None:
        return False
    before = previous_site / file.dest_uri
    return before.is_file() and before.stat().st_mtime >= Path(file.abs_src_path).stat().st_mtime


class IncrementalBuild:
    """The plugin hooks of an incremental build; the plugin calls `_plan` from every
    `on_files` (after adding the generated files) and `_save_state` from `on_post_build`."""

    dirty = False  # a dirty build: keep what did not change
    keep_state = False  # write the state the next incremental build needs
    # the previous site, when the build writes into a new folder (`certfolio site`); None:
    # it is the site folder itself, updated in place (`mkdocs serve --dirty`)
    previous_site: Path | None = None
    # with a `previous_site`: the outputs left unwritten because they did not change, which
    # the caller takes from the previous site once the build succeeded (each `_plan` anew:
    # MkDocs keeps one plugin instance for every build in a process)
    kept: Sequence[str] = ()
    _previous: BuildState | None = None
    _state: BuildState | None = None
    _search: Any = None

    def _plan(self, files: Files, config: MkDocsConfig) -> None:
        """Compare with the previous site's state: which generated files changed. Only in a
        dirty build or one that keeps its state; a plugin MkDocs reuses (serve, several
        builds in one process) forgets the last build's plan either way."""
        self._previous = self._state = None
        kept: list[str] = []
        self.kept = kept
        if not (self.dirty or self.keep_state):
            return
        site_dir = Path(config.site_dir)
        before_dir = self.previous_site or site_dir
        config_text = Path(config.config_file_path).read_bytes() if config.config_file_path else b""
        extra = {"site_url": config.site_url, "language": config.theme["language"]}
        # the installed themes' files change with their versions, which the key holds
        installed = [Path(str(spec.origin)).parent for spec in map(find_spec, THEMES) if spec]
        themes = [d for d in config.theme.dirs if not any(map(Path(d).is_relative_to, installed))]
        key = build_key(config_text, config.nav, themes, extra)
        pages = sorted(f.src_uri for f in files if f.is_documentation_page())
        state = BuildState(key, pages=digest("\n".join(pages)))
        previous = load_state(before_dir) if self.dirty else None
        entries = previous_entries(before_dir) if previous is not None else None
        if previous is None or previous.key != key or entries is None:
            previous, entries = None, None
            if self.dirty and self.previous_site is None:  # nothing there can be trusted
                clean_directory(str(site_dir))
        for file in files:
            if isinstance(file, GeneratedFile):
                content = digest(file.content_bytes)
                page = file.is_documentation_page()
                (state.page_hashes if page else state.files)[file.src_uri] = content
                before = None
                if previous is not None:
                    before = (previous.page_hashes if page else previous.files).get(file.src_uri)
                file.changed = before != content or not (before_dir / file.dest_uri).is_file()
                if not file.changed and self.previous_site is not None:
                    kept.append(file.dest_uri)
            elif self.previous_site is not None and not file.is_documentation_page():
                if previous is not None and _unchanged(file, before_dir):
                    file.__class__ = KeptFile  # the theme's and docs' files as they were
                    kept.append(file.dest_uri)
            elif file.is_documentation_page() and previous and previous.pages != state.pages:
                # a hand-written page may link to a page that came or went: check it again
                Path(file.abs_dest_path).unlink(missing_ok=True)
        self._previous, self._state, self._entries = previous, state, entries
        self._files, self._seen = files, 0
        self._fresh: dict[str, list[Any]] = {}
        search = config.plugins.get("search") or config.plugins.get("material/search")
        self._search = search if hasattr(search, "search_index") else None

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        self._in_nav = {page.file.src_uri for page in nav.pages}
        return nav

    def on_env(self, env: Any, /, *, config: MkDocsConfig, files: Files) -> Any:
        previous = self._previous
        if previous is None:
            return env
        for file in files.documentation_pages():
            page = file.page
            if page is None or page.markdown is not None:  # rebuilt
                continue
            if file.src_uri in self._in_nav:  # its title and meta show in the navigation
                page.read_source(config)
            page.present_anchor_ids = set(previous.anchors.get(file.src_uri, ()))
        return env

    @event_priority(-100)  # after Material's search has indexed the page
    def on_page_context(
        self, context: Any, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> Any:
        if self._search is not None:
            entries = self._search.search_index.entries
            self._fresh[page.url] = entries[self._seen :]
            self._seen = len(entries)
        return context

    def _save_state(self, config: MkDocsConfig) -> None:
        """Complete the search index and the state, remove stale files, keep the state."""
        state = self._state
        if state is None:
            return
        site_dir = Path(config.site_dir)
        pages = self._files.documentation_pages(inclusion=InclusionLevel.is_included)
        if self._previous is not None and self._search is not None:
            # the index a cold build writes: every page's entries, in build order
            entries: list[Any] = []
            for file in pages:
                assert file.page is not None and self._entries is not None
                url = file.page.url
                entries += self._fresh[url] if url in self._fresh else self._entries.get(url, [])
            self._search.search_index.entries = entries
            self._search.search_index_prev = None
        for file in pages:
            assert file.page is not None
            state.anchors[file.src_uri] = sorted(file.page.present_anchor_ids or ())
        templates = list(config.theme.static_templates)
        if "sitemap.xml" in templates:
            templates.append("sitemap.xml.gz")
        if self._search is not None:
            templates.append("search/search_index.json")
        state.outputs = sorted({*(f.dest_uri for f in self._files), *templates})
        if self._previous is not None and self.previous_site is None:
            remove_stale(site_dir, self._previous.outputs, state.outputs)
        save_state(site_dir, state)
