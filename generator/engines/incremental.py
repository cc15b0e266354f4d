"""What an incremental site build remembers, without importing any engine.

An incremental build starts from the previous site and rebuilds only the pages whose inputs
changed. Its memory is a state file inside the site itself (`STATE_FILE`), so the state always
travels with the pages it describes: a site swapped in whole brings its state along, and a
site that failed to build never gets one. The state holds:

- `key`: everything every page depends on besides its own Markdown: the MkDocs configuration,
  the navigation, the theme's files, the versions of the packages that render and clean the
  HTML. A different key means nothing of the previous site can be reused;
- per page: the hash of its Markdown and the anchors it has (so links into a page that is not
  rebuilt are still checked), per generated file the hash of its bytes;
- `outputs`: every file the build wrote, so files of pages that no longer exist are removed;
- `pages`: the hash of the list of pages, since a hand-written page must be rebuilt (and its
  links checked again) when a page it may link to appears or disappears.

A cold build writes the same state as an incremental build of the same input, byte for byte,
which is what `tests/test_incremental.py` compares.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

#: The state file, inside the site folder (a dot file: MkDocs never cleans or copies those).
STATE_FILE = ".certfolio-build.json"
#: Bumped whenever what the state means changes: an older state is never trusted.
STATE_VERSION = 1
#: The distributions whose code decides a page's HTML besides its Markdown.
RENDERERS = ("certfolio", "mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "nh3")


def digest(data: str | bytes) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


@dataclass
class BuildState:
    key: str
    pages: str = ""  # the hash of the sorted list of pages
    page_hashes: dict[str, str] = field(default_factory=dict)  # src path -> Markdown hash
    anchors: dict[str, list[str]] = field(default_factory=dict)  # src path -> anchor ids
    files: dict[str, str] = field(default_factory=dict)  # generated file -> content hash
    outputs: list[str] = field(default_factory=list)  # every file the build wrote

    def to_json(self) -> bytes:
        document = {
            "version": STATE_VERSION,
            "key": self.key,
            "pages": self.pages,
            "page_hashes": self.page_hashes,
            "anchors": {page: sorted(ids) for page, ids in self.anchors.items()},
            "files": self.files,
            "outputs": sorted(self.outputs),
        }
        return (json.dumps(document, sort_keys=True, separators=(",", ":")) + "\n").encode()


def load_state(site_dir: Path) -> BuildState | None:
    """The state of the site in `site_dir`, or None when there is none or it cannot be
    trusted (unreadable, another version, not the shape written by `save_state`)."""
    try:
        document = json.loads((site_dir / STATE_FILE).read_bytes())
        if document.get("version") != STATE_VERSION:
            return None
        return BuildState(
            key=str(document["key"]),
            pages=str(document["pages"]),
            page_hashes=dict(document["page_hashes"]),
            anchors={page: list(ids) for page, ids in document["anchors"].items()},
            files=dict(document["files"]),
            outputs=list(document["outputs"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def save_state(site_dir: Path, state: BuildState) -> None:
    path = site_dir / STATE_FILE
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(state.to_json())
    os.replace(partial, path)


def _folder_listing(folder: Path) -> list[str]:
    """Every file under `folder` with the hash of its content: a theme folder changes when
    any of its templates does (contents, not times or places: the same files give the same
    key on every machine)."""
    return [
        f"{path.relative_to(folder).as_posix()}:{digest(path.read_bytes())}"
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    ]


def build_key(
    config_text: bytes, nav: Any, theme_dirs: Iterable[str], extra: Mapping[str, Any]
) -> str:
    """The hash of everything every page depends on besides its own Markdown."""
    versions: dict[str, str | None] = {}
    for name in RENDERERS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    # certfolio's own rendering code changes without a version bump while it is developed
    here = Path(__file__).resolve().parent
    code = [
        digest((here / name).read_bytes())
        for name in ("mkdocs.py", "mkdocs_incremental.py", "common.py")
    ]
    code.append(digest((here.parent / "site" / "sanitise.py").read_bytes()))
    themes = [_folder_listing(Path(folder)) for folder in theme_dirs]
    document = {
        "version": STATE_VERSION,
        "config": digest(config_text),
        "nav": nav,
        "themes": themes,
        "versions": versions,
        "code": code,
        "extra": dict(extra),
    }
    return digest(json.dumps(document, sort_keys=True, default=str))


def previous_entries(site_dir: Path) -> dict[str, list[Any]] | None:
    """The previous search index's entries by page URL, or None when it cannot be read."""
    try:
        document = json.loads((site_dir / "search" / "search_index.json").read_bytes())
        by_page: dict[str, list[Any]] = {}
        for entry in document["docs"]:
            by_page.setdefault(str(entry["location"]).partition("#")[0], []).append(entry)
        return by_page
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remove_stale(site_dir: Path, previous: Iterable[str], current: Iterable[str]) -> list[str]:
    """Remove what the previous build wrote and this one did not (a page that no longer
    exists), then the folders that left empty; returns the removed paths."""
    removed = sorted(set(previous) - set(current))
    folders: set[Path] = set()
    for rel in removed:
        path = site_dir / rel
        if path.is_file() and not path.is_symlink():
            path.unlink()
        folders.update(path.parents)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        if folder != site_dir and site_dir in folder.parents:
            with contextlib.suppress(OSError):  # only when empty
                folder.rmdir()
    return removed
