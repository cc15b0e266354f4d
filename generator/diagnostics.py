"""Positions, diagnostics and the one place they are formatted.

Every problem certfolio finds in a portfolio becomes a `Diagnostic`: a level, a stable code, a
message naming the field and quoting the user's value, an optional hint, and the `Span` (file,
line, column, all 1-based) it points at. Stages collect diagnostics instead of raising, so one
run reports everything; `format_report` turns them into text, JSON or GitHub annotations.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import PurePosixPath


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, order=True)
class Span:
    """Where a value came from: a path relative to the portfolio's parent folder, 1-based."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{max(self.col, 1)}"


@dataclass(frozen=True)
class Diagnostic:
    span: Span
    level: Level
    code: str
    message: str
    hint: str | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.path, self.span.line, self.span.col, self.code, self.message)

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.span.path,
            "line": self.span.line,
            "col": self.span.col,
            "level": self.level.value,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass
class Report:
    """Collects diagnostics from every stage of one run."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0

    def add(
        self,
        span: Span,
        level: Level,
        code: str,
        message: str,
        hint: str | None = None,
    ) -> None:
        self.diagnostics.append(Diagnostic(span, level, code, message, hint))

    def error(self, span: Span, code: str, message: str, hint: str | None = None) -> None:
        self.add(span, Level.ERROR, code, message, hint)

    def warning(self, span: Span, code: str, message: str, hint: str | None = None) -> None:
        self.add(span, Level.WARNING, code, message, hint)

    def note(self, span: Span, code: str, message: str) -> None:
        self.add(span, Level.NOTE, code, message)

    def count(self, level: Level) -> int:
        return sum(1 for d in self.diagnostics if d.level is level)

    @property
    def errors(self) -> int:
        return self.count(Level.ERROR)

    @property
    def warnings(self) -> int:
        return self.count(Level.WARNING)

    def failed(self, *, strict: bool = False) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)

    def sorted(self) -> list[Diagnostic]:
        """Diagnostics by path and position; a note stays right after the one it explains."""
        groups: list[list[Diagnostic]] = []
        for diagnostic in self.diagnostics:
            if diagnostic.level is Level.NOTE and groups:
                groups[-1].append(diagnostic)
            else:
                groups.append([diagnostic])
        groups.sort(key=lambda group: group[0].sort_key())
        return [d for group in groups for d in group]


def suggest(value: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' hint for a mistyped name or ID, or None when nothing is close."""
    pool = sorted(set(candidates))
    matches = difflib.get_close_matches(value, pool, n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in pool}
        if value.lower() in lowered:
            matches = [lowered[value.lower()]]
    return f"did you mean '{matches[0]}'?" if matches else None


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_line(report: Report) -> str:
    return (
        f"{plural(report.errors, 'error')}, {plural(report.warnings, 'warning')} "
        f"in {plural(report.files, 'file')}"
    )


#: Characters that would break a line, reorder it on screen or hide in it: C0 and C1 controls,
#: line and paragraph separators, bidi marks, embeddings, overrides and isolates, BOM.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def visible(text: str) -> str:
    """One printable line for a terminal or CI log: every control, invisible or bidi character
    becomes an escape (`\\n`, `\\u202e`), so user text can neither start a new line (a
    GitHub workflow command is any line starting with `::`) nor disguise what it says."""
    return _UNPRINTABLE.sub(lambda m: _NAMED.get(m.group(), f"\\u{ord(m.group()):04x}"), text)


def safe_lines(text: str) -> str:
    """Text for a log: a line that starts with `::` (a workflow command) is indented."""
    return "\n".join(f" {line}" if line.startswith("::") else line for line in text.split("\n"))


def _format_text(diagnostics: Sequence[Diagnostic], report: Report) -> str:
    lines = []
    for d in diagnostics:
        lines.append(f"{visible(str(d.span))}: {d.level.value}: {visible(d.message)} [{d.code}]")
        if d.hint:
            lines.append(f"  hint: {visible(d.hint)}")
    lines.append(summary_line(report))
    return safe_lines("\n".join(lines)) + "\n"


def _format_json(diagnostics: Sequence[Diagnostic], report: Report) -> str:
    document = {
        "files": report.files,
        "errors": report.errors,
        "warnings": report.warnings,
        "diagnostics": [d.as_dict() for d in diagnostics],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _format_github(diagnostics: Sequence[Diagnostic], report: Report) -> str:
    """Workflow commands; GitHub shows at most 10 per kind, so the plain lines follow too."""
    lines = []
    for d in diagnostics:
        kind = "notice" if d.level is Level.NOTE else d.level.value
        props = [f"file={_escape_property(d.span.path)}"]
        if d.span.line > 0:
            props.append(f"line={d.span.line}")
            props.append(f"col={max(d.span.col, 1)}")
        props.append(f"title={_escape_property(d.code)}")
        message = visible(d.message) + (f"\n{visible(d.hint)}" if d.hint else "")
        lines.append(f"::{kind} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "") + _format_text(diagnostics, report)


FORMATS = {"text": _format_text, "json": _format_json, "github": _format_github}


def format_report(report: Report, fmt: str = "text") -> str:
    return FORMATS[fmt](report.sorted(), report)


def rebase_paths(report: Report, name: str, location: str) -> Report:
    """A copy of `report` whose paths start at `location` instead of the portfolio folder's
    `name`: spans are relative to the portfolio's parent, and a caller that knows where the
    folder sits in the repository ('programs/acme/portfolio', or '.' at the top) moves them
    there, as GitHub annotations need. Other paths are kept. Nothing here reads the disk."""
    moved = []
    for diagnostic in report.diagnostics:
        parts = PurePosixPath(diagnostic.span.path).parts
        if parts and parts[0] == name:
            span = replace(diagnostic.span, path=PurePosixPath(location, *parts[1:]).as_posix())
            diagnostic = replace(diagnostic, span=span)
        moved.append(diagnostic)
    return Report(moved, report.files)
