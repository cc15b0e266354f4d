"""The personal-data and secret guard: nothing sensitive is published without a reviewed reason.

During `validate`, `guard_portfolio` scans every string (values and keys) of every YAML file,
every CSV cell but plain numbers in the number columns, the text of the attachments evidence
items reference (text files; PDF, XLSX and DOCX through `extract`), and the names of files and
folders. `detect` says what a piece of text holds; this module turns each hit into an error
(E800-E805) at its position, with its kind and a masked value, unless an entry of
`privacy.allow` in portfolio.yaml covers it. `read_privacy` reads that section (E807).

The full value never reaches a message, a hint or a path: paths whose names hold a hit are
masked in every diagnostic made here.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import phonenumbers

from generator import model as m
from generator.diagnostics import Diagnostic, Report, Span
from generator.portfolio.attachments import check_attachment
from generator.portfolio.csvparse import DEFAULT_DIALECT, Cell, Dialect, Table, parse_csv
from generator.portfolio.detect import Hit, compact, find_sensitive, mask
from generator.portfolio.extract import EXTRACTORS, Unreadable, extract_text
from generator.portfolio.load import Files
from generator.portfolio.schema import field_name
from generator.portfolio.source import DEFAULT_LIMITS, Limits, decode, read_limited
from generator.portfolio.yamlparse import Document, Path_

CODES = {
    "card": "E800",
    "national-id": "E801",
    "iban": "E802",
    "email": "E803",
    "phone": "E804",
    "secret": "E805",
}
LANGUAGE_REGIONS = {"en": ("GB", "US"), "nb": ("NO",), "es": ("ES",)}
TEXT_TYPES = frozenset({"txt", "md", "csv", "tsv", "json", "yaml", "yml", "log"})
SCANNED_TYPES = TEXT_TYPES | frozenset(EXTRACTORS)
_NUMBER_COLUMNS = frozenset({"value", "n", "promoters", "detractors"})
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as the parsers count lines
_HINT = (
    "remove it, or keep at most its last 4 characters; to publish it on purpose, add it to "
    "'privacy.allow' in portfolio.yaml with a reason"
)
_SECRET_HINT = "revoke or rotate it now, then remove it: git history keeps what was committed"


def read_privacy(doc: Document, report: Report) -> m.Privacy:
    """portfolio.yaml's `privacy` section; bad regions and entries are reported (E807)."""
    data: dict[str, Any] = doc.data.get("privacy") or {}
    regions: list[str] = []
    for i, region in enumerate(data.get("regions") or []):
        if region in phonenumbers.SUPPORTED_REGIONS:
            regions.append(region)
        else:
            report.error(
                doc.span(("privacy", "regions", i)),
                "E807",
                f"unknown phone region '{region}' in 'privacy.regions'",
                "use a two-letter ISO 3166 code such as GB, NO or ES",
            )
    if "regions" not in data:
        regions = list(LANGUAGE_REGIONS.get(doc.data.get("language") or "en", ("GB", "US")))
        for site in doc.data.get("scope", {}).get("sites") or []:
            country = site.get("country")
            if country in phonenumbers.SUPPORTED_REGIONS and country not in regions:
                regions.append(country)
    entries = []
    for i, item in enumerate(data.get("allow") or []):
        span = doc.span(("privacy", "allow", i))
        name = f"privacy.allow[{i}]"
        if not any(str(item.get(key) or "").strip() for key in ("value", "pattern", "kind")):
            report.error(
                span,
                "E807",
                f"'{name}' needs a 'value', a 'pattern' or a 'kind'",
                "say what is allowed; 'path' alone would switch the guard off for those files",
            )
            continue
        if not item["reason"].strip():
            report.error(span, "E807", f"'{name}.reason' is blank", "say why it may be published")
            continue
        try:
            re.compile(item.get("pattern") or "")
        except re.error as exc:
            report.error(
                doc.span(("privacy", "allow", i, "pattern")),
                "E807",
                f"'{name}.pattern' is not a valid regular expression: {exc.msg}",
                "check brackets and escapes; in single quotes YAML keeps '\\' as written",
            )
            continue
        entries.append(
            m.AllowEntry(
                item["reason"],
                item.get("value"),
                item.get("pattern"),
                item.get("kind"),
                item.get("path"),
                span,
            )
        )
    return m.Privacy(tuple(regions), tuple(entries))


class _Allowlist:
    """`privacy.allow`, ready to answer for one hit in one file."""

    def __init__(self, privacy: m.Privacy) -> None:
        self.entries = []
        for entry in privacy.allow:
            values: set[str] = set()
            if entry.value is not None:
                values.add(compact(entry.value))
                for region in privacy.regions:  # a phone number in any national format
                    try:
                        number = phonenumbers.parse(entry.value, region)
                    except phonenumbers.NumberParseException:
                        continue
                    e164 = phonenumbers.PhoneNumberFormat.E164
                    values.add(compact(phonenumbers.format_number(number, e164)))
            pattern = re.compile(entry.pattern) if entry.pattern else None
            self.entries.append((entry, values, pattern))

    def allows(self, hit: Hit, path: str) -> bool:
        forms = (hit.text, hit.canonical)
        for entry, values, pattern in self.entries:
            if entry.kind is not None and entry.kind != hit.kind:
                continue
            if entry.path is not None and not fnmatchcase(path, entry.path):
                continue
            if values and not values.intersection(compact(form) for form in forms):
                continue
            if pattern is not None and not any(pattern.fullmatch(form) for form in forms):
                continue
            return True
        return False


class _Lines:
    """A text with its line starts, to turn offsets into 1-based lines and columns."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [match.end() for match in _LINE_BREAK.finditer(text)]

    def offset(self, line: int, col: int) -> int:
        return self.starts[min(max(line, 1), len(self.starts)) - 1] + max(col, 1) - 1

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def locate(self, line: int, col: int, needle: str, span: int) -> tuple[int, int]:
        """Where `needle` is written, searching from the value that starts at line:col."""
        start = self.offset(line, col)
        found = self.text.find(needle, start, start + span)
        return self.position(found) if found >= 0 else (line, col)


def yaml_texts(doc: Document) -> Iterator[tuple[str, Path_, bool]]:
    """Every text the guard reads in a YAML file: each key, with the path of its mapping, and
    each string or number value longer than 5 characters, with its path (`is_key` says which)."""
    stack: list[tuple[Path_, Any]] = [((), doc.data)]
    while stack:
        at, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                yield key, at, True
                stack.append(((*at, key), item))
        elif isinstance(value, list):
            stack.extend(((*at, i), item) for i, item in enumerate(value))
        elif isinstance(value, str | int) and not isinstance(value, bool):
            text = str(value)
            if len(text) > 5:
                yield text, at, False


def table_texts(table: Table, dialect: Dialect) -> Iterator[tuple[str, Cell]]:
    """Every cell the guard reads in a data file, with its column: all but the plain numbers
    of the number columns and the cells of at most 5 characters."""
    for row in table.rows:
        for column, cell in row.items():
            if len(cell.text) <= 5 or (
                column in _NUMBER_COLUMNS and dialect.number.fullmatch(cell.text)
            ):
                continue
            yield column, cell


def yaml_clean(doc: Document, regions: Sequence[str]) -> bool:
    """True when the guard would find nothing, allowed or not, in the YAML file's text: what
    the parse cache records, so that `guard_portfolio` may `skip` the file's text."""
    return not any(find_sensitive(text, regions) for text, _, _ in yaml_texts(doc))


def data_clean(text: str, table: Table | None, dialect: Dialect, regions: Sequence[str]) -> bool:
    """`yaml_clean` for a data file: its table's cells, or its lines when it did not parse."""
    if table is not None:
        return not any(find_sensitive(c.text, regions) for _, c in table_texts(table, dialect))
    return not any(find_sensitive(line, regions) for line in _LINE_BREAK.split(text))


class _Guard:
    def __init__(self, files: Files, config: m.Config, report: Report, limits: Limits) -> None:
        self.files = files
        self.regions = config.privacy.regions
        self.allowlist = _Allowlist(config.privacy)
        self.attachment_bytes = config.attachment_mb << 20
        self.report = report
        self.limits = limits
        self.shown: dict[str, str] = {}
        self.found: set[str] = set()  # raw values of the hits, to mask in other diagnostics
        self.prefix = files.rel(files.root) + "/"

    def redact(self, text: str) -> str:
        """`text` with every identifier or secret in it masked."""
        for hit in reversed(find_sensitive(text, self.regions)):
            text = text[: hit.start] + mask(hit.text) + text[hit.end :]
        return text

    def display(self, rel: str) -> str:
        """A path (relative to the portfolio's parent) as diagnostics may show it."""
        if rel not in self.shown:
            self.shown[rel] = self.redact(rel)
        return self.shown[rel]

    def in_portfolio(self, rel: str) -> str:
        """A path relative to the portfolio's parent, made relative to the portfolio."""
        return rel.removeprefix(self.prefix)

    def hits(self, text: str, path: str) -> list[Hit]:
        """The hits in `text` of the file at `path` (relative to the portfolio) not allowed."""
        found = find_sensitive(text, self.regions)
        return [hit for hit in found if not self.allowlist.allows(hit, path)] if found else []

    def emit(self, hit: Hit, span: Span, where: str) -> None:
        self.found.add(hit.text)
        span = Span(self.display(span.path), span.line, span.col)
        message = self.redact(f"{hit.label} '{hit.masked}' {where}")
        hint = _SECRET_HINT if hit.kind == "secret" else _HINT
        self.report.error(span, CODES[hit.kind], message, hint)

    def source(self, rel: str, limit: int) -> _Lines | None:
        try:
            text = decode(read_limited(self.files.base / rel, limit), rel, Report())
        except OSError:
            return None
        return None if text is None else _Lines(text)

    def yaml(self, doc: Document) -> None:
        path = self.in_portfolio(doc.rel)
        found: list[tuple[Hit, tuple[int, int], str, str]] = []
        for text, at, is_key in yaml_texts(doc):
            for hit in self.hits(text, path):
                if is_key:
                    where = f"in a key of '{field_name(at)}'"
                    found.append((hit, doc.keys.get((*at, text), (1, 1)), text, where))
                else:
                    found.append((hit, doc.values.get(at, (1, 1)), text, f"in '{field_name(at)}'"))
        source = self.source(doc.rel, self.limits.yaml_bytes) if found else None
        for hit, (line, col), text, where in found:
            if source is not None:
                line, col = source.locate(line, col, hit.text, 4 * len(text) + 256)
            self.emit(hit, Span(doc.rel, line, col), where)

    def table(self, rel: str, dialect: Dialect) -> None:
        path = self.in_portfolio(rel)
        source = self.source(rel, self.limits.csv_bytes)
        if source is None:
            return
        table = parse_csv(source.text, rel, Report(), dialect)
        if table is None:  # a broken table is still read, line by line
            self.text_lines(source.text, rel, path)
            return
        for column, cell in table_texts(table, dialect):
            for hit in self.hits(cell.text, path):
                window = 2 * len(cell.text) + 8
                line, col = source.locate(cell.span.line, cell.span.col, hit.text, window)
                self.emit(hit, Span(rel, line, col), f"in column '{column}'")

    def text_lines(self, text: str, rel: str, path: str) -> None:
        for number, line in enumerate(_LINE_BREAK.split(text), 1):
            for hit in self.hits(line, path):
                self.emit(hit, Span(rel, number, hit.start + 1), "in the text")

    def names(self, paths: Iterable[Path]) -> None:
        """File and folder names, each folder once."""
        seen: set[str] = set()
        for file in paths:
            parts = self.in_portfolio(self.files.rel(file)).split("/")
            for depth in range(1, len(parts) + 1):
                path = "/".join(parts[:depth])
                if path in seen:
                    continue
                seen.add(path)
                for hit in self.hits(parts[depth - 1], path):
                    what = "file" if depth == len(parts) else "folder"
                    self.emit(hit, Span(self.prefix + path), f"in the {what} name")

    def attachments(self, docs: Sequence[Document]) -> None:
        done: set[str] = set()
        for doc in docs:
            items = doc.data.get("attachments")
            for i, item in enumerate(items if isinstance(items, list) else []):
                text = item.get("path") if isinstance(item, dict) else None
                if not isinstance(text, str):
                    continue
                span = doc.span(("attachments", i, "path"))
                path = check_attachment(
                    self.files.root, text, span, Report(), self.attachment_bytes
                )
                if path is not None and path not in done:
                    done.add(path)
                    self.attachment(path)

    def attachment(self, path: str) -> None:
        ext = path.rpartition(".")[2].lower()
        if ext not in SCANNED_TYPES:
            return
        rel = self.files.rel(self.files.root / path)
        try:
            data = read_limited(self.files.root / path, self.attachment_bytes)
        except OSError as exc:
            self.unscanned(rel, exc.strerror or str(exc))
            return
        if ext in TEXT_TYPES:
            self.text_lines(data.decode("utf-8", errors="replace"), rel, path)
            return
        try:
            pieces = extract_text(ext, data)
        except Unreadable as exc:
            self.unscanned(rel, str(exc))
            return
        for where, text in pieces:
            for hit in self.hits(text, path):
                self.emit(hit, Span(rel), f"in {where}")

    def unscanned(self, rel: str, why: str) -> None:
        self.report.error(
            Span(self.display(rel)),
            "E806",
            self.redact(f"cannot read the text of attachment '{rel}' to scan it: {why}"),
            "save it again without a password or damage, or attach it as PDF, DOCX or XLSX",
        )


def guard_portfolio(
    files: Files,
    config: m.Config,
    docs: Sequence[Document],
    report: Report,
    limits: Limits = DEFAULT_LIMITS,
    dialects: Mapping[Path, Dialect] | None = None,
    skip: Container[str] = frozenset(),
) -> None:
    """Report every unallowed identifier or secret in the portfolio's files and names; a data
    file is read in the CSV dialect its metric declares (`dialects`). The text of the files
    in `skip` (paths as in diagnostics) is not read again: the parse cache found nothing in it
    in the same regions (`yaml_clean`, `data_clean`); their names and attachments still are."""
    guard = _Guard(files, config, report, limits)
    for doc in docs:
        if doc.rel not in skip:
            guard.yaml(doc)
    for path, rel in sorted(files.tables.items(), key=lambda item: item[1]):
        if rel not in skip:
            guard.table(rel, (dialects or {}).get(path, DEFAULT_DIALECT))
    guard.names([files.portfolio, *(path for _, path in files.records), *files.tables])
    guard.attachments(docs)
    if guard.found:  # other checks may quote the same value (an unknown ID, a file name)
        report.diagnostics[:] = [_masked(d, guard.found) for d in report.diagnostics]


def _masked(diagnostic: Diagnostic, found: set[str]) -> Diagnostic:
    """The diagnostic with every flagged value in its path, message and hint masked."""

    def clean(text: str) -> str:
        for value in sorted(found, key=len, reverse=True):
            if value in text:
                text = text.replace(value, mask(value))
        return text

    span = diagnostic.span
    return dataclasses.replace(
        diagnostic,
        span=Span(clean(span.path), span.line, span.col),
        message=clean(diagnostic.message),
        hint=clean(diagnostic.hint) if diagnostic.hint else diagnostic.hint,
    )
