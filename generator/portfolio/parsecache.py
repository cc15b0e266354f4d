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

**Whole validations.** Building the model from cached parses still takes time at scale, so
the cache also keeps each portfolio folder's last outcome, keyed by every name and byte the
validation reads (`results`, signed the same way, in `signed`): an unchanged portfolio is
answered from it without parsing or building anything; any change falls back to the entries.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import importlib.metadata
import pickle
import sys
from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator import model as m
from generator.diagnostics import Diagnostic, Report
from generator.portfolio.csvparse import DEFAULT_DIALECT, Dialect, Table, parse_csv
from generator.portfolio.guard import data_clean, read_privacy, yaml_clean
from generator.portfolio.load import Files, check_document, load_document, load_table
from generator.portfolio.results import (
    Outcome,
    Results,
    attachment_digests,
    attachment_paths,
    snapshot,
)
from generator.portfolio.signed import UserKey, opened, user_key_file, write_signed
from generator.portfolio.source import DEFAULT_LIMITS, Limits, decode, read_limited
from generator.portfolio.yamlparse import Document

FORMAT = 1  # the entry layout; bump it when `_Entry` changes
MAGIC = b"certfolio-parse-1\n"
PACK = "entries.pack"
PACK_BYTES = 1 << 30  # a pack of 7,000 files takes 7 MB
#: what reads files and finds personal data in them (the guard reads attachments' text too)
DEPENDENCIES = (
    "PyYAML",
    "phonenumbers",
    "python-stdnum",
    "fastjsonschema",
    "jsonschema",
    "pypdf",
    "openpyxl",
    "python-docx",
)
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
    sources += [package / name for name in ("__init__.py", "diagnostics.py", "errors.py")]
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


class Loader:
    """How `validate_portfolio` reads YAML and data files: here with no cache, what library
    calls get unless they pass a `ParseCache`."""

    def validated(
        self, files: Files, report: Report, limits: Limits, run: Callable[[], m.Portfolio | None]
    ) -> m.Portfolio | None:
        """Validate what `find_files` found (it reported into `report`, which held nothing
        before) by `run`, which reports into `report` too; or say what it would say."""
        return run()

    def start(self, config: Document | None) -> None:
        """portfolio.yaml has been read (None: it could not be used)."""

    def loaded(self, root: Path, docs: Sequence[Document]) -> None:
        """Every document is parsed; what comes next may read the attachments they name."""

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
    results: int = 0  # validations answered by a stored outcome (`results`)
    stored: int = 0  # outcomes stored


@dataclass
class ParseCache(Loader):
    """Parses kept in `folder` (see the module's docstring)."""

    folder: Path
    key_file: Path | None = field(default_factory=user_key_file)
    version: bytes = field(default_factory=code_version)  # part of every key
    stats: CacheStats = field(default_factory=CacheStats)
    regions: tuple[str, ...] | None = None  # the guard's, once portfolio.yaml is read
    clean: set[str] = field(default_factory=set)
    results: bool = True  # whole validations are kept too (`results`)
    # the pack's entries (read when first needed), those parsed in this run, the keys it read
    _stored: dict[str, bytes] | None = field(default=None, repr=False)
    _fresh: dict[str, bytes] = field(default_factory=dict, repr=False)
    _used: set[str] = field(default_factory=set, repr=False)
    _damaged: bool = field(default=False, repr=False)  # a bad pack or entry in this run
    # a miss of the outcome layer: the files' bytes read for its key, the attachments' digests
    _inputs: dict[Path, bytes] = field(default_factory=dict, repr=False)
    _named: tuple[tuple[str, str], ...] | None = field(default=None, repr=False)

    _user_key: UserKey = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._user_key = UserKey(self.key_file)

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        """One validation, then the pack is written. The cyclic garbage collector waits till
        the end: the thousands of small objects unpickled here, none of them in a cycle, would
        wake it again and again (a third of the time of a warm validation). At the end they
        join the oldest generation: the model lives as long as its caller needs it, so the
        next young-generation pass need not walk its hundreds of thousands of objects (half
        the time of a warm validation at full scale). `gc.freeze` then `gc.unfreeze` move them
        there, documented to do just that, without visiting them; not when the program has
        frozen objects of its own."""
        enabled = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            if enabled:
                gc.enable()
            self._finish()

    def validated(
        self, files: Files, report: Report, limits: Limits, run: Callable[[], m.Portfolio | None]
    ) -> m.Portfolio | None:
        """The stored outcome when every byte validation reads is as it was; else `run`,
        storing what it says unless an attachment changed while it was read."""
        snap = snapshot(files, report.diagnostics, limits, self.version) if self.results else None
        if snap is None:
            return run()
        store = Results(self.folder, self._user_key)
        outcome = store.recall(files.root, snap)
        if outcome is not None:
            self.stats.results += 1
            report.diagnostics[:] = outcome.diagnostics
            report.files = outcome.files
            return outcome.portfolio
        self._inputs, self._named = dict(snap.inputs), ()
        try:
            portfolio = run()
            named: tuple[tuple[str, str], ...] = self._named or ()
        finally:
            self._inputs, self._named = {}, None
        if attachment_digests(files.root, [rel for rel, _ in named]) != named:
            return portfolio
        diagnostics = tuple(report.diagnostics)
        try:
            store.remember(files.root, snap, Outcome(named, portfolio, diagnostics, report.files))
        except OSError:
            self.stats.failed += 1
        else:
            self.stats.stored += 1
        return portfolio

    def loaded(self, root: Path, docs: Sequence[Document]) -> None:
        if self._named is not None:  # an outcome will be stored
            self._named = attachment_digests(root, attachment_paths(docs))

    def start(self, config: Document | None) -> None:
        self.regions = None if config is None else read_privacy(config, Report()).regions
        self.clean.clear()  # a cache may serve several validations

    def clean_for(self, regions: Sequence[str]) -> Container[str]:
        return self.clean if tuple(regions) == self.regions else frozenset()

    def document(
        self, kind: str, path: Path, rel: str, report: Report, limits: Limits = DEFAULT_LIMITS
    ) -> Document | None:
        try:
            data = self._read(path, limits.yaml_bytes)
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
            data = self._read(path, limits.csv_bytes)
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
        payload = pickle.dumps(pack, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            secret = self._user_key.get(create=True)
            if secret is None:
                return
            write_signed(self.folder / PACK, MAGIC, secret, payload)
        except OSError:
            self.stats.failed += 1
            return
        self.stats.written += len(fresh)

    def _read(self, path: Path, limit: int) -> bytes:
        """The file's bytes: those read for the outcome layer's key, else read now."""
        data = self._inputs.pop(path, None)
        return read_limited(path, limit) if data is None else data

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
        payload = opened(blob, MAGIC, self._user_key.get(create=False))
        if payload is None:
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


def _well_formed(entry: Any, kind: type) -> bool:
    return (
        isinstance(entry, tuple)
        and len(entry) == 3
        and (entry[0] is None or isinstance(entry[0], kind))
        and isinstance(entry[1], tuple)
        and (not entry[1] or all(isinstance(d, Diagnostic) for d in entry[1]))
        and isinstance(entry[2], bool)
    )
