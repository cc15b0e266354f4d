"""Finding a portfolio's files and parsing them into positioned documents.

A portfolio is one folder: `portfolio.yaml` at the top, and one folder per kind of record
(`requirements/`, `evidence/`, `metrics/`, `findings/`), any depth below. Each metric's data
is a CSV file beside its YAML file. Attachments live anywhere inside the folder (by
convention `attachments/`) and are read only when referenced.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from generator.diagnostics import Report, Span
from generator.errors import PortfolioNotFound
from generator.portfolio.csvparse import Table, parse_csv
from generator.portfolio.schema import check_schema
from generator.portfolio.source import DEFAULT_LIMITS, Limits, read_text
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

    def rel(self, path: Path) -> str:
        return path.relative_to(self.base).as_posix()


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
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(folder)
        top = here.relative_to(root).parts[:1]
        kind = FOLDERS.get(top[0]) if top else None
        for name in sorted(dirs) + sorted(names):
            path = here / name
            if path.is_symlink():
                report.error(
                    Span(files.rel(path)),
                    "E302",
                    f"'{files.rel(path)}' is a symlink",
                    "commit the file itself; symlinks are never read or published",
                )
                if name in dirs:
                    dirs.remove(name)
        for name in sorted(names):
            path = here / name
            if name.startswith(".") or path.is_symlink():
                continue
            suffix = path.suffix.lower()
            if path == portfolio:
                continue
            if kind and suffix in YAML_SUFFIXES:
                files.records.append((kind, path))
            elif kind == "metric" and suffix == ".csv":
                files.tables[path] = files.rel(path)
            elif suffix in YAML_SUFFIXES and top != ("attachments",):
                report.warning(
                    Span(files.rel(path)),
                    "W010",
                    f"'{files.rel(path)}' is not in a record folder and is ignored",
                    f"move it under one of: {', '.join(f + '/' for f in FOLDERS)}",
                )
    return files


def load_document(
    kind: str, path: Path, rel: str, report: Report, limits: Limits = DEFAULT_LIMITS
) -> Document | None:
    """Read, parse and schema-check one YAML file; None when it cannot be used."""
    text = read_text(path, rel, limits.yaml_bytes, report)
    if text is None:
        return None
    doc = parse_yaml(text, rel, report, limits)
    if doc is None or not check_schema(kind, doc, report):
        return None
    return doc


def load_table(
    path: Path, rel: str, report: Report, limits: Limits = DEFAULT_LIMITS
) -> Table | None:
    text = read_text(path, rel, limits.csv_bytes, report)
    return None if text is None else parse_csv(text, rel, report)
