"""Finding a portfolio's files and parsing them into positioned documents.

A portfolio is one folder: `portfolio.yaml` at the top, and one folder per kind of record
(`requirements/`, `evidence/`, `metrics/`, `findings/`), any depth below, and optionally
`reviews.yaml` (link reviews) and `requests.yaml` (the auditor's request list) beside
portfolio.yaml. Each metric's data is a CSV file beside its YAML file. Attachments live
anywhere inside the folder (by convention `attachments/`) and are read only when referenced.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator.diagnostics import Report, Span
from generator.errors import PortfolioNotFound
from generator.portfolio.csvparse import DEFAULT_DIALECT, Dialect, Table, parse_csv
from generator.portfolio.schema import check_schema
from generator.portfolio.source import DEFAULT_LIMITS, Limits, file_kind, read_text
from generator.portfolio.values import check_values
from generator.portfolio.yamlparse import Document, parse_yaml

FOLDERS = {
    "requirements": "requirement",
    "evidence": "evidence",
    "metrics": "metric",
    "findings": "finding",
}
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class Files:
    """What a portfolio folder holds, each path with its display name."""

    root: Path
    base: Path
    portfolio: Path
    records: list[tuple[str, Path]] = field(default_factory=list)
    tables: dict[Path, str] = field(default_factory=dict)
    reviews: Path | None = None  # reviews.yaml beside portfolio.yaml, when there is one
    requests: Path | None = None  # requests.yaml (the auditor's request list), likewise
    listing: list[str] = field(default_factory=list)  # every visible entry: 'kind:path'

    def rel(self, path: Path) -> str:
        # paths here are built from `base`: a prefix test says what relative_to would, faster
        text, prefix = str(path), os.path.join(str(self.base), "")
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix) :].replace(os.sep, "/")
        return path.relative_to(self.base).as_posix()


def _entries(folder: Path, rel: str, report: Report) -> list[os.DirEntry[str]] | None:
    """The folder's entries sorted by name, or None after reporting why it cannot be read."""
    try:
        with os.scandir(folder) as found:
            return sorted(found, key=lambda entry: entry.name)
    except OSError as exc:
        report.error(
            Span(rel),
            "E006",
            f"cannot read folder '{rel}': {exc.strerror or exc}",
            "give the folder read permission; nothing in it was checked",
        )
        return None


def _kind_of(entry: os.DirEntry[str]) -> str:
    """'dir', 'file', 'link' or the kind of a special file ('a FIFO' ...)."""
    if entry.is_symlink():
        return "link"
    if entry.is_dir(follow_symlinks=False):
        return "dir"
    if entry.is_file(follow_symlinks=False):
        return "file"
    return file_kind(entry.stat(follow_symlinks=False).st_mode)


def _walk(root: Path, files: Files, report: Report) -> Iterator[tuple[Path, str | None, Path]]:
    """Every regular file under `root` not hidden by a leading '.', with its record kind and
    top folder; symlinks, special files and unreadable folders are reported on the way."""
    pending = [root]
    while pending:
        here = pending.pop()
        top = here.relative_to(root).parts[:1]
        kind = FOLDERS.get(top[0]) if top else None
        entries = _entries(here, files.rel(here), report)
        subfolders = []
        for entry in entries or []:
            path = here / entry.name
            try:
                what = _kind_of(entry)
            except OSError as exc:
                report.error(Span(files.rel(path)), "E001", f"cannot read file: {exc.strerror}")
                continue
            if what == "link" and path != files.portfolio:  # read_text reports that one
                report.error(
                    Span(files.rel(path)),
                    "E302",
                    f"'{files.rel(path)}' is a symlink",
                    "commit the file itself; symlinks are never read or published",
                )
            if entry.name.startswith("."):
                continue
            files.listing.append(f"{what}:{files.rel(path)}")
            if what == "dir":
                subfolders.append(path)
            elif what == "file":
                yield path, kind, Path(*top)
            elif what != "link":
                report.error(
                    Span(files.rel(path)),
                    "E005",
                    f"'{files.rel(path)}' is not a regular file ({what})",
                    "only regular files belong in a portfolio; remove it",
                )
        pending.extend(reversed(subfolders))


def find_files(root: Path, report: Report) -> Files:
    """Walk the portfolio folder (sorted, never following links) and sort files by kind."""
    root = root.absolute()
    if not root.is_dir():
        raise PortfolioNotFound(f"no such folder: {root}")
    portfolio = next(
        (root / f"portfolio{s}" for s in YAML_SUFFIXES if (root / f"portfolio{s}").is_file()), None
    )
    if portfolio is None:
        raise PortfolioNotFound(f"{root} has no portfolio.yaml; is it a portfolio folder?")
    files = Files(root, root.parent, portfolio)
    for path, kind, top in _walk(root, files, report):
        suffix = path.suffix.lower()
        if path == portfolio:
            continue
        if path == root / "reviews.yaml":
            files.reviews = path
            continue
        if path == root / "requests.yaml":
            files.requests = path
            continue
        if kind and suffix in YAML_SUFFIXES:
            files.records.append((kind, path))
        elif kind == "metric" and suffix == ".csv":
            files.tables[path] = files.rel(path)
        elif suffix in YAML_SUFFIXES and top != Path("attachments"):
            report.warning(
                Span(files.rel(path)),
                "W010",
                f"'{files.rel(path)}' is not in a record folder and is ignored",
                f"move it under one of: {', '.join(f + '/' for f in FOLDERS)}",
            )
    _check_id_case(files, report)
    return files


def _check_id_case(files: Files, report: Report) -> None:
    """Record files (so IDs, which must match them) that differ only in letter case collide
    on case-insensitive file systems and in the site's page names."""
    first: dict[str, Path] = {}
    for _, path in files.records:  # in the walk's sorted order
        folded = path.stem.casefold()
        other = first.setdefault(folded, path)
        if other.stem != path.stem:
            report.error(
                Span(files.rel(path)),
                "E022",
                f"ID '{path.stem}' of '{files.rel(path)}' differs only in letter case from "
                f"'{other.stem}' of '{files.rel(other)}'",
                "rename one; IDs that differ only in case collide on case-insensitive systems",
            )


def load_document(
    kind: str, path: Path, rel: str, report: Report, limits: Limits = DEFAULT_LIMITS
) -> Document | None:
    """Read, parse and schema-check one YAML file; None when it cannot be used."""
    text = read_text(path, rel, limits.yaml_bytes, report)
    return None if text is None else check_document(kind, text, rel, report, limits)


def check_document(
    kind: str, text: str, rel: str, report: Report, limits: Limits = DEFAULT_LIMITS
) -> Document | None:
    """Parse and schema-check the text of one YAML file; None when it cannot be used."""
    doc = parse_yaml(text, rel, report, limits)
    if doc is None or not check_schema(kind, doc, report):
        return None
    return doc if check_values(kind, doc, report, limits) else None


def load_table(
    path: Path,
    rel: str,
    report: Report,
    limits: Limits = DEFAULT_LIMITS,
    dialect: Dialect = DEFAULT_DIALECT,
) -> Table | None:
    text = read_text(path, rel, limits.csv_bytes, report)
    return None if text is None else parse_csv(text, rel, report, dialect)
