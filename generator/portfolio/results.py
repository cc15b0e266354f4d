"""Whole validations kept by the bytes they read: the parse cache's second layer.

Parsing is not all of a warm `validate`: building a large portfolio's model from cached parses
(72,000 metric observations at the scale benchmark's full size) takes longer than reading its
files. So a `ParseCache` also keeps, per portfolio folder, the last validation's outcome (the
model and every diagnostic) under a key made *before* anything is parsed (`snapshot`): a
SHA-256 over `code_version()`, the `Limits`, the folder's absolute path, the walk (every visible
folder and file name under it, with their kinds, and what the walk reported) and the bytes of
every YAML and CSV file it holds. Those bytes are read once: the parse of a miss uses them.

The only other bytes a validation reads are the attachments evidence items name. Their
SHA-256 digests (`attachment_digests`) are stored with the outcome and computed again before
it is used; an outcome is stored only when they did not change while it was computed. So the
outcome is used only when every byte and name validation would look at is as it was; any
other edit, an upgrade or another limit means a miss, answered by the per-file layer.

Files are signed like the pack (`signed`); a file that fails the check is ignored. One file
per portfolio folder, at most `KEEP` of them (the least recently written go first).
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator import model as m
from generator.diagnostics import Diagnostic
from generator.portfolio.attachments import under_root
from generator.portfolio.load import Files
from generator.portfolio.signed import UserKey, file_of, load_signed, write_signed
from generator.portfolio.source import FileTooLarge, Limits, read_limited
from generator.portfolio.yamlparse import Document

MAGIC = b"certfolio-result-1\n"
PREFIX = "result-"
KEEP = 8  # portfolio folders whose last outcome is kept
RESULT_BYTES = 1 << 30
ATTACHMENT_BYTES = 1 << 30  # past this an attachment is refused unread; its digest says so


@dataclass(frozen=True)
class Snapshot:
    """What validating a folder will read, summed up before anything is parsed."""

    key: bytes  # SHA-256 (see the module's docstring)
    inputs: dict[Path, bytes]  # each YAML and CSV file's bytes, for the parse of a miss


@dataclass(frozen=True)
class Outcome:
    """What a validation produced, and the attachment digests it was computed from."""

    attachments: tuple[tuple[str, str], ...]
    portfolio: m.Portfolio | None
    diagnostics: tuple[Diagnostic, ...]
    files: int


def _inputs(files: Files, limits: Limits) -> Iterator[tuple[Path, int]]:
    yield files.portfolio, limits.yaml_bytes
    for _, path in files.records:
        yield path, limits.yaml_bytes
    for extra in (files.reviews, files.requests):
        if extra is not None:
            yield extra, limits.yaml_bytes
    for path in sorted(files.tables):
        yield path, limits.csv_bytes


def snapshot(
    files: Files, walked: Sequence[Diagnostic], limits: Limits, version: bytes
) -> Snapshot | None:
    """The key of validating `files` as `find_files` found them (reporting `walked`); None
    when a YAML or CSV file cannot be read whole, which validation will report."""
    digest = hashlib.sha256(b"certfolio validation\0" + version)
    for part in (repr(limits), str(files.root), *files.listing, repr(tuple(walked))):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    inputs: dict[Path, bytes] = {}
    for path, limit in _inputs(files, limits):
        try:
            data = read_limited(path, limit)
        except OSError:
            return None
        inputs[path] = data
        digest.update(b"%s\0%d\0" % (files.rel(path).encode("utf-8", "surrogateescape"), len(data)))
        digest.update(data)
    return Snapshot(digest.digest(), inputs)


def attachment_paths(docs: Sequence[Document]) -> list[str]:
    """The attachments the documents name, as paths under the portfolio folder
    (`attachments.under_root`: paths validation refuses unread are left out)."""
    found: set[str] = set()
    for doc in docs:
        items = doc.data.get("attachments")
        for item in items if isinstance(items, list) else []:
            text = item.get("path") if isinstance(item, dict) else None
            path = under_root(text) if isinstance(text, str) else None
            if path is not None:
                found.add(path)
    return sorted(found)


def attachment_digests(root: Path, paths: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """Each path with the SHA-256 of its bytes, or why they cannot be read."""
    digests = []
    for rel in paths:
        try:
            digest = hashlib.sha256(read_limited(root / rel, ATTACHMENT_BYTES)).hexdigest()
        except FileTooLarge:
            digest = "too large"
        except OSError as exc:
            digest = f"unread: {type(exc).__name__} {exc.errno}"
        digests.append((rel, digest))
    return tuple(digests)


@dataclass
class Results:
    """The outcomes kept in `folder`, signed with the user's key."""

    folder: Path
    key: UserKey

    def file_for(self, root: Path) -> Path:
        return file_of(self.folder, PREFIX, root)

    def recall(self, root: Path, snap: Snapshot) -> Outcome | None:
        """The outcome stored for `snap`, when its attachments are still what it read."""
        outcome = load_signed(self.file_for(root), MAGIC, self.key, RESULT_BYTES, snap.key, Outcome)
        if outcome is None or not (
            outcome.portfolio is None or isinstance(outcome.portfolio, m.Portfolio)
        ):
            return None
        paths = [rel for rel, _ in outcome.attachments]
        return outcome if attachment_digests(root, paths) == outcome.attachments else None

    def remember(self, root: Path, snap: Snapshot, outcome: Outcome) -> None:
        """Store `outcome` for `snap` (raises `OSError`), then drop the oldest beyond `KEEP`."""
        secret = self.key.get(create=True)
        if secret is None:
            raise OSError("no place for the user's key")
        payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        target = self.file_for(root)
        write_signed(target, MAGIC, secret, payload, snap.key)
        kept = []
        for path in self.folder.glob(f"{PREFIX}*.pack"):
            with contextlib.suppress(OSError):
                kept.append((path.stat().st_mtime_ns, path != target, path))
        kept.sort(key=lambda item: (item[1], -item[0]))  # the one just written, then newest
        for _, _, path in kept[KEEP:]:
            with contextlib.suppress(OSError):
                path.unlink()
