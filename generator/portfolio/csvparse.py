"""Reading a metric's monthly CSV: strict shape, every cell with its line and column.

Only the shape is judged here (encoding, header, field counts); what the cells mean is judged by
`series`, which knows the metric.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from generator.diagnostics import Report, Span, plural, suggest
from generator.portfolio.source import check_text

COLUMNS = ("period", "value", "n", "scope", "promoters", "detractors", "note")
REQUIRED = ("period", "value")


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


def cell_columns(line: str) -> list[int]:
    """1-based starting column of each comma-separated cell of one physical line."""
    columns = [1]
    quoted = False
    for offset, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            columns.append(offset + 2)
    return columns


def _columns_at(lines: list[str], line_no: int, count: int) -> list[int]:
    text = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
    columns = cell_columns(text)
    return columns + [columns[-1]] * (count - len(columns))


def parse_csv(text: str, rel: str, report: Report) -> Table | None:
    """The table, or None when its shape is unusable (the reasons are in `report`)."""
    if not check_text(text, rel, report):
        return None
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
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
    header_columns = _columns_at(lines, header_line, len(names))
    header: dict[str, Span] = {}
    ok = True
    for name, column in zip(names, header_columns, strict=True):
        span = Span(rel, header_line, column)
        if name not in COLUMNS:
            report.error(
                span,
                "E501",
                f"unknown column '{name}'",
                suggest(name, COLUMNS) or f"columns are: {', '.join(COLUMNS)}",
            )
            ok = False
        elif name in header:
            report.error(span, "E501", f"column '{name}' appears twice")
            ok = False
        header[name] = span
    for name in REQUIRED:
        if name not in header:
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
                "a decimal comma or a stray ',' adds a field; use '.' for decimals",
            )
            complete = False
            continue
        columns = _columns_at(lines, line, len(record))
        rows.append(
            {
                name: Cell(value, Span(rel, line, column))
                for name, value, column in zip(names, record, columns, strict=True)
            }
        )
        row_spans.append(Span(rel, line, 1))
    return Table(rel, header, tuple(rows), tuple(row_spans), complete)
