"""Reading a metric's monthly CSV: strict shape, every cell with its line and column.

Only the shape is judged here (encoding, header, field counts); what the cells mean is judged by
`series`, which knows the metric. The metric's `csv` block names the dialect its spreadsheet
export writes: the field delimiter (`,`, `;` or a tab) and the decimal mark (`.` or `,`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from generator.diagnostics import Report, Span, plural, suggest
from generator.portfolio.source import check_text

COLUMNS = ("period", "value", "n", "scope", "promoters", "detractors", "note")
REQUIRED = ("period", "value")
DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "a tab"}
DECIMAL_COMMA = re.compile(r"[0-9],[0-9]")
NUMBERS = {mark: re.compile(r"-?[0-9]+(?:" + re.escape(mark) + r"[0-9]+)?") for mark in ".,"}


@dataclass(frozen=True)
class Dialect:
    """How the data file is written: what separates fields, and the values' decimal mark."""

    delimiter: str = ","
    decimal: str = "."

    @classmethod
    def of(cls, data: Any) -> Dialect:
        """The dialect a (schema-checked) metric document declares in its `csv` block."""
        block = data.get("csv") if isinstance(data, dict) else None
        if not isinstance(block, dict):
            return cls()
        return cls(block.get("delimiter") or ",", block.get("decimal") or ".")

    @property
    def number(self) -> re.Pattern[str]:
        """A plain number in this dialect: digits, an optional '-' and one decimal mark."""
        return NUMBERS[self.decimal]

    def to_float(self, text: str) -> float:
        """The value of a text that matches `number`."""
        return float(text.replace(self.decimal, "."))


DEFAULT_DIALECT = Dialect()


@dataclass(frozen=True)
class Cell:
    text: str
    span: Span


@dataclass(frozen=True)
class Table:
    rel: str
    header: dict[str, Span]
    rows: tuple[dict[str, Cell], ...]
    row_spans: tuple[Span, ...]
    complete: bool  # False when a malformed row was left out


def cell_columns(line: str, delimiter: str = ",") -> list[int]:
    """1-based starting column of each cell of one physical line."""
    columns = [1]
    quoted = False
    for offset, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            columns.append(offset + 2)
    return columns


def _columns_at(lines: list[str], line_no: int, count: int, delimiter: str) -> list[int]:
    text = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    columns = cell_columns(text, delimiter)
    return columns + [columns[-1]] * (count - len(columns))


def _dialect_hint(name: str, names: list[str], lines: list[str], dialect: Dialect) -> str | None:
    """A hint naming the `csv` setting when the header is split by another delimiter."""
    for other in (",", ";", "\t"):
        parts = name.split(other)
        if other == dialect.delimiter or len(parts) < 2 or not set(parts) <= set(COLUMNS):
            continue
        if other == ",":
            return (
                "the columns are separated by ',', but the metric declares "
                f"csv: {{delimiter: {_yaml(dialect.delimiter)}}}: remove the setting, or "
                f"export the file with {DELIMITER_NAMES[dialect.delimiter]} between fields"
            )
        setting = f"delimiter: {_yaml(other)}"
        if len(names) == 1 and any(DECIMAL_COMMA.search(line) for line in lines[1:]):
            setting += ', decimal: ","'
        return (
            f"the columns are separated by {DELIMITER_NAMES[other]}: declare it in the "
            f"metric's YAML file with csv: {{{setting}}}"
        )
    return None


def _yaml(delimiter: str) -> str:
    return '"\\t"' if delimiter == "\t" else f'"{delimiter}"'


def parse_csv(
    text: str, rel: str, report: Report, dialect: Dialect = DEFAULT_DIALECT
) -> Table | None:
    """The table, or None when its shape is unusable (the reasons are in `report`)."""
    if not check_text(text, rel, report):
        return None
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=dialect.delimiter)
    records: list[tuple[int, list[str]]] = []
    try:
        for record in reader:
            end_line = reader.line_num
            start_line = end_line - sum(value.count("\n") for value in record)
            records.append((start_line, record))
    except csv.Error as exc:
        report.error(
            Span(rel, reader.line_num, 1),
            "E500",
            f"invalid CSV: {exc}",
            "check the quotes on this row",
        )
        return None
    records = [(line, record) for line, record in records if record and any(record)]
    if not records:
        report.error(
            Span(rel, 1, 1),
            "E509",
            "empty CSV file",
            "the first row names the columns: period,value",
        )
        return None
    header_line, names = records[0]
    header_columns = _columns_at(lines, header_line, len(names), dialect.delimiter)
    header: dict[str, Span] = {}
    ok, misread = True, False  # misread: a header split by another delimiter
    for name, column in zip(names, header_columns, strict=True):
        span = Span(rel, header_line, column)
        if name not in COLUMNS:
            hint = _dialect_hint(name, names, lines, dialect)
            misread = misread or hint is not None
            report.error(
                span,
                "E501",
                f"unknown column '{name}'",
                hint or suggest(name, COLUMNS) or f"columns are: {', '.join(COLUMNS)}",
            )
            ok = False
        elif name in header:
            report.error(span, "E501", f"column '{name}' appears twice")
            ok = False
        header[name] = span
    for name in REQUIRED:
        if name not in header and not misread:
            report.error(Span(rel, header_line, 1), "E501", f"missing column '{name}'")
            ok = False
    if len(records) == 1:
        report.error(Span(rel, header_line, 1), "E509", "no data rows under the header")
        ok = False
    if not ok:
        return None
    rows: list[dict[str, Cell]] = []
    row_spans: list[Span] = []
    complete = True
    for line, record in records[1:]:
        if len(record) != len(names):
            report.error(
                Span(rel, line, 1),
                "E500",
                f"row has {plural(len(record), 'field')}, header has {len(names)}",
                "a decimal comma or a stray ',' adds a field; use '.' for decimals"
                if dialect.delimiter == ","
                else f"a stray {DELIMITER_NAMES[dialect.delimiter]} adds a field",
            )
            complete = False
            continue
        columns = _columns_at(lines, line, len(record), dialect.delimiter)
        rows.append(
            {
                name: Cell(value, Span(rel, line, column))
                for name, value, column in zip(names, record, columns, strict=True)
            }
        )
        row_spans.append(Span(rel, line, 1))
    return Table(rel, header, tuple(rows), tuple(row_spans), complete)
