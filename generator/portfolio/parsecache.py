"""The parse cache: what reading, parsing and checking each file produced, kept by its bytes.

Parsing YAML and CSV dominates `validate`. With a `ParseCache`, every file is still read (a
changed byte must be seen; modification times are never trusted) and hashed, and when the
cache holds an entry for its key, the parsed `Document` or `Table` and the diagnostics the
parse produced come from the entry instead of the parsers. The key is a SHA-256 over the
file's bytes, its path as diagnostics show it, its kind (a data file: its CSV dialect), the
`Limits`, the privacy guard's phone regions and `code_version()`: certfolio's version, the
source of every module and schema that reads files, and the versions of Python and of the
parsing libraries. So a changed byte, an upgrade or an edited parser misses every entry it
could affect. An entry also says whether the guard finds anything in the file's text
(`guard.yaml_clean`, `data_clean`): a clean file's text is not scanned again.

The entries live in one pack per folder (`entries.pack`, read once per validation, written
at its end only when something changed), so a warm run opens one file, not thousands. The
pack keeps the entries of the last run and, up to twice as many, older ones: a few
portfolios may share the folder.

**Trust.** Entries are pickles, for speed, so nothing is unpickled before the pack's
HMAC-SHA256 checks out, made with a random key that lives outside every project: the user's
own (`user_key_file`, mode 0600). A pack this user's certfolio did not write (committed in a
pull request, restored from another job's CI cache, copied from another machine, truncated,
corrupt or edited) fails the check, is ignored and written again: it can neither run code
nor hide a diagnostic. The folder itself is local build state like `.venv` (`.cache/` is
git-ignored). Only a process that can read the user's key could forge a pack, and it could
as well edit the source tree. The pack is written to a temporary file, then `os.replace`d:
readers see a whole pack or the previous one; it is not fsynced, since a torn pack fails its
HMAC. A cache problem never fails validation: a folder or key that cannot be read or written
means parsing as without a cache (`stats` counts what happened).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import hmac
import importlib.metadata
import os
import pickle
import secrets
import sys
import threading
from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.diagnostics import Diagnostic, Report
from generator.portfolio.csvparse import DEFAULT_DIALECT, Dialect, Table, parse_csv
from generator.portfolio.guard import data_clean, read_privacy, yaml_clean
from generator.portfolio.load import check_document, load_document, load_table
from generator.portfolio.source import DEFAULT_LIMITS, Limits, decode, read_limited
from generator.portfolio.yamlparse import Document

FORMAT = 1  # the entry layout; bump it when `_Entry` changes
MAGIC = b"certfolio-parse-1\n"
PACK = "entries.pack"
KEY_BYTES = 32
PACK_BYTES = 1 << 30  # a pack of 7,000 files takes 7 MB
DEPENDENCIES = ("PyYAML", "phonenumbers", "fastjsonschema", "jsonschema")
#: portfolio.yaml is read before the guard's regions are known; reviews.yaml is never scanned
_NOT_SCANNED = frozenset({"portfolio", "reviews"})
_Entry = tuple[Any, tuple[Diagnostic, ...], bool]  # parsed value, diagnostics, clean


@functools.cache
def code_version() -> bytes:
    """A digest of everything that decides what a parse produces: the source of this wing,
    the ground floor and the schemas (certfolio's version is in `generator/__init__.py`),
    Python's version and the versions of the parsing libraries."""
    here = Path(__file__).resolve().parent
    package = here.parent
    sources = sorted(here.glob("*.py")) + sorted((package / "schemas").glob("*.json"))
    sources += [package / name for name in ("__init__.py", "diagnostics.py")]
    sources += sorted((package / "model").glob("*.py"))
    digest = hashlib.sha256(b"certfolio parse cache %d\0" % FORMAT)
    for source in sources:
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    versions = [sys.version, str(getattr(yaml, "__with_libyaml__", False))]
    for name in DEPENDENCIES:
        try:
            versions.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} (no metadata)")
    digest.update("\0".join(versions).encode())
    return digest.digest()


def user_key_file() -> Path | None:
    """Where the user's HMAC key lives: `$XDG_CACHE_HOME/certfolio/parse-cache.key`, by default
    `~/.cache/certfolio/parse-cache.key`; outside every project, so no repository, download
    or restored CI cache can bring a key along with a pack. None when there is no home."""
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except (RuntimeError, KeyError):
        return None
    return base / "certfolio" / "parse-cache.key"


class Loader:
    """How `validate_portfolio` reads YAML and data files: here with no cache, what library
    calls get unless they pass a `ParseCache`."""

    def start(self, config: Document | None) -> None:
        """portfolio.yaml has been read (None: it could not be used)."""

    def document(
        self, kind: str, path: Path, rel: str, report: Report, limits: Limits = DEFAULT_LIMITS
    ) -> Document | None:
        return load_document(kind, path, rel, report, limits)

    def table(
        self,
        path: Path,
        rel: str,
        report: Report,
        limits: Limits = DEFAULT_LIMITS,
        dialect: Dialect = DEFAULT_DIALECT,
    ) -> Table | None:
        return load_table(path, rel, report, limits, dialect)

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        """One validation."""
        yield

    def clean_for(self, regions: Sequence[str]) -> Container[str]:
        """The files (paths as in diagnostics) whose text the guard need not scan again."""
        return frozenset()


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    invalid: int = 0  # a pack that failed its HMAC, entries that did not load: parsed again
    written: int = 0  # entries stored
    failed: int = 0  # writes that failed


@dataclass
class ParseCache(Loader):
    """Parses kept in `folder` (see the module's docstring)."""

    folder: Path
    key_file: Path | None = field(default_factory=user_key_file)
    version: bytes = field(default_factory=code_version)  # part of every key
    stats: CacheStats = field(default_factory=CacheStats)
    regions: tuple[str, ...] | None = None  # the guard's, once portfolio.yaml is read
    clean: set[str] = field(default_factory=set)
    # the pack's entries (read when first needed), those parsed in this run, the keys it read
    _stored: dict[str, bytes] | None = field(default=None, repr=False)
    _fresh: dict[str, bytes] = field(default_factory=dict, repr=False)
    _used: set[str] = field(default_factory=set, repr=False)
    _secret: bytes | None = field(default=None, repr=False)
    _damaged: bool = field(default=False, repr=False)  # a bad pack or entry in this run

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        """One validation, then the pack is written. The cyclic garbage collector waits till
        the end: the thousands of small objects unpickled here, none of them in a cycle, would
        wake it again and again (a third of the time of a warm validation)."""
        enabled = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            if enabled:
                gc.enable()
            self._finish()

    def start(self, config: Document | None) -> None:
        self.regions = None if config is None else read_privacy(config, Report()).regions
        self.clean.clear()  # a cache may serve several validations

    def clean_for(self, regions: Sequence[str]) -> Container[str]:
        return self.clean if tuple(regions) == self.regions else frozenset()

    def document(
        self, kind: str, path: Path, rel: str, report: Report, limits: Limits = DEFAULT_LIMITS
    ) -> Document | None:
        try:
            data = read_limited(path, limits.yaml_bytes)
        except OSError:  # reported exactly as without a cache
            return load_document(kind, path, rel, report, limits)
        scan = self.regions is not None and kind not in _NOT_SCANNED
        key = self._key(data, "yaml", kind, rel, repr(limits), self._regions(scan))
        entry = self._get(key, Document)
        if entry is None:
            found = Report()
            text = decode(data, rel, found)
            doc = None if text is None else check_document(kind, text, rel, found, limits)
            clean = scan and doc is not None and yaml_clean(doc, self.regions or ())
            entry = self._put(key, (doc, tuple(found.diagnostics), clean))
        parsed: Document | None = self._use(rel, entry, report)
        return parsed

    def table(
        self,
        path: Path,
        rel: str,
        report: Report,
        limits: Limits = DEFAULT_LIMITS,
        dialect: Dialect = DEFAULT_DIALECT,
    ) -> Table | None:
        try:
            data = read_limited(path, limits.csv_bytes)
        except OSError:
            return load_table(path, rel, report, limits, dialect)
        scan = self.regions is not None
        form = f"{dialect.delimiter}{dialect.decimal}"
        key = self._key(data, "csv", form, rel, repr(limits), self._regions(scan))
        entry = self._get(key, Table)
        if entry is None:
            found = Report()
            text = decode(data, rel, found)
            table = None if text is None else parse_csv(text, rel, found, dialect)
            clean = (
                scan and text is not None and data_clean(text, table, dialect, self.regions or ())
            )
            entry = self._put(key, (table, tuple(found.diagnostics), clean))
        parsed: Table | None = self._use(rel, entry, report)
        return parsed

    def _finish(self) -> None:
        """Store the entries this run parsed, with those it read first, and as many of the
        others as fit in twice the entries it used (plus 256): several portfolios may share
        the folder. Nothing is written when nothing changed."""
        stored, fresh, used, damaged = self._stored or {}, self._fresh, self._used, self._damaged
        self._stored, self._fresh, self._used, self._damaged = None, {}, set(), False
        room = 2 * (len(fresh) + len(used)) + 256
        if not fresh and len(stored) <= room and not damaged:
            return
        pack = {key: stored[key] for key in sorted(used)} | fresh
        for key, blob in stored.items():
            if len(pack) >= room:
                break
            pack.setdefault(key, blob)
        secret = self._key_bytes(create=True)
        if secret is None:
            return
        payload = pickle.dumps(pack, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            self.stats.failed += 1
            return
        tmp = self.folder / f"{PACK}.{os.getpid()}-{threading.get_ident()}.tmp"
        try:
            _write_new(tmp, MAGIC + _mac(secret, payload) + payload)
            os.replace(tmp, self.folder / PACK)
        except OSError:
            self.stats.failed += 1
            with contextlib.suppress(OSError):
                tmp.unlink()
            return
        self.stats.written += len(fresh)

    def _key(self, data: bytes, *parts: str) -> str:
        digest = hashlib.sha256(self.version)
        digest.update("\0".join(("", *parts, "")).encode())
        digest.update(data)
        return digest.hexdigest()

    def _regions(self, scan: bool) -> str:
        return ",".join(self.regions or ()) if scan else "-"

    def _use(self, rel: str, entry: _Entry, report: Report) -> Any:
        value, diagnostics, clean = entry
        report.diagnostics.extend(diagnostics)
        if clean:
            self.clean.add(rel)
        else:  # a data file read again in another dialect may no longer be clean
            self.clean.discard(rel)
        return value

    def _get(self, key: str, kind: type) -> _Entry | None:
        """The entry for `key` when the pack holds one that loads."""
        if self._stored is None:
            self._stored = self._read_pack()
        blob = self._stored.get(key)
        if blob is None:
            self.stats.misses += 1
            return None
        try:
            entry = pickle.loads(blob)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            entry = None
        if not _well_formed(entry, kind):
            self.stats.invalid += 1
            self._damaged = True
            return None
        self.stats.hits += 1
        self._used.add(key)
        return entry  # type: ignore[no-any-return]

    def _put(self, key: str, entry: _Entry) -> _Entry:
        self._fresh[key] = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        return entry

    def _read_pack(self) -> dict[str, bytes]:
        """The stored entries when the pack is there, whole and signed with the user's key.
        Never through a symlink, from a device or past `PACK_BYTES` (`read_limited`)."""
        try:
            blob = read_limited(self.folder / PACK, PACK_BYTES)
        except OSError:
            return {}
        secret = self._key_bytes(create=False)
        start = len(MAGIC) + 32
        payload = blob[start:]
        if (
            secret is None
            or not blob.startswith(MAGIC)
            or not hmac.compare_digest(blob[len(MAGIC) : start], _mac(secret, payload))
        ):
            self.stats.invalid += 1
            self._damaged = True
            return {}
        try:
            stored = pickle.loads(payload)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            stored = None
        if not isinstance(stored, dict):
            self.stats.invalid += 1
            self._damaged = True
            return {}
        return stored

    def _key_bytes(self, *, create: bool) -> bytes | None:
        """The HMAC key: read once from `key_file`, or made (when `create`) and stored with
        `os.link`, which never replaces a key another process stored first."""
        if self._secret is not None or self.key_file is None:
            return self._secret
        path = self.key_file
        self._secret = _read_key(path)
        if self._secret is not None or not create:
            return self._secret
        fresh = secrets.token_bytes(KEY_BYTES)
        tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_new(tmp, fresh)
            try:
                os.link(tmp, path)
            except FileExistsError:  # another process was first, or the key is damaged
                stored = _read_key(path)
                if stored is not None:
                    fresh = stored
                else:
                    os.replace(tmp, path)
            except OSError:  # no hard links on this file system
                os.replace(tmp, path)
        except OSError:
            self.stats.failed += 1
            return None
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
        self._secret = fresh
        return fresh


def _read_key(path: Path) -> bytes | None:
    try:
        stored = read_limited(path, KEY_BYTES)
    except OSError:
        return None
    return stored if len(stored) == KEY_BYTES else None


def _mac(secret: bytes, payload: bytes) -> bytes:
    return hmac.digest(secret, payload, "sha256")


def _well_formed(entry: Any, kind: type) -> bool:
    return (
        isinstance(entry, tuple)
        and len(entry) == 3
        and (entry[0] is None or isinstance(entry[0], kind))
        and isinstance(entry[1], tuple)
        and (not entry[1] or all(isinstance(d, Diagnostic) for d in entry[1]))
        and isinstance(entry[2], bool)
    )


def _write_new(path: Path, content: bytes) -> None:
    """Write a new file readable by its owner only; never through a symlink."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0), 0o600)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
