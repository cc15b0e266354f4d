"""A metric's definition and monthly data → a `Metric`, with every data problem positioned.

Data rows need a real period in order, one row per period and scope, plain ASCII numbers (with
the decimal mark the metric's `csv` block declares), and n where the metric is sampled. Numbers
stay within what statistics and charts handle (|value| at most `Limits.magnitude`, counts at most
`Limits.count`), and a proportion is a percentage from 0 to 100. Gaps and months with no target
in force are warnings: the data may be honest but incomplete. Targets, annotations and
comparators are read by `targets`.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence

from generator import model as m
from generator.diagnostics import Report, Span
from generator.portfolio.csvparse import DEFAULT_DIALECT, Cell, Dialect, Table
from generator.portfolio.definitions import read_definitions
from generator.portfolio.records import Fields
from generator.portfolio.source import DEFAULT_LIMITS
from generator.portfolio.targets import (
    Scopes,
    check_coverage,
    ranges,
    read_annotations,
    read_comparators,
    read_targets,
)
from generator.portfolio.values import check_year
from generator.portfolio.yamlparse import Document

COUNT = re.compile(r"[0-9]+")
OTHER_DECIMAL = {".": re.compile(r"-?[0-9]+,[0-9]+"), ",": re.compile(r"-?[0-9]+\.[0-9]+")}
PERIOD = re.compile(r"[0-9]{4}-[0-9]{2}")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: One `Month` object per month written: the thousands of observations of the same month
#: share it, in memory and in the parse cache's stored outcomes (pickle keeps one copy).
_month = functools.lru_cache(maxsize=4096)(m.Month.parse)


def _decimal_hint(text: str, dialect: Dialect) -> str | None:
    """For a number written with the other decimal mark: the `csv` setting that reads it."""
    if not OTHER_DECIMAL[dialect.decimal].fullmatch(text):
        return None
    if dialect.decimal == ",":
        return f"the metric declares csv: {{decimal: \",\"}}: write '{text.replace('.', ',')}'"
    if dialect.delimiter == ",":
        return (
            "for decimal commas, separate fields with ';' and declare it in the metric: "
            'csv: {delimiter: ";", decimal: ","}'
        )
    return 'for decimal commas, add decimal: "," to the metric\'s csv block'


def _number(
    cell: Cell,
    column: str,
    pattern: re.Pattern[str],
    report: Report,
    dialect: Dialect = DEFAULT_DIALECT,
) -> str | None:
    if cell.text == "":
        report.error(
            cell.span,
            "E505",
            f"empty '{column}'",
            "fill it in, or remove the row to record a missing month",
        )
        return None
    if not pattern.fullmatch(cell.text):
        kind = f"a plain number (digits, '-' and '{dialect.decimal}')"
        hint = None if pattern is COUNT else _decimal_hint(cell.text, dialect)
        if pattern is COUNT:
            kind = "a whole number"
        report.error(cell.span, "E505", f"'{column}' must be {kind}, got '{cell.text}'", hint)
        return None
    return cell.text


def _short(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:12]}... ({len(text)} characters)"


def _value(cell: Cell, proportion: bool, dialect: Dialect, report: Report) -> float | None:
    """The cell's number, within the range statistics and charts handle."""
    text = _number(cell, "value", dialect.number, report, dialect)
    if text is None:
        return None
    value, limit = dialect.to_float(text), DEFAULT_LIMITS.magnitude
    if not abs(value) <= limit:  # also inf, which 400 digits become
        report.error(
            cell.span,
            "E514",
            f"'value' is out of range, got '{_short(text)}'",
            f"values must be between -{limit:,} and {limit:,}",
        )
        return None
    if proportion and not 0 <= value <= 100:
        report.error(
            cell.span,
            "E516",
            f"'value' of a proportion must be from 0 to 100, got '{text}'",
            "record the percentage of the sample, e.g. 87.5",
        )
        return None
    return value


def _count(cell: Cell, column: str, report: Report) -> int | None:
    """The cell's whole number, at most `Limits.count` (checked before converting it)."""
    text = _number(cell, column, COUNT, report)
    if text is None:
        return None
    digits, limit = text.lstrip("0") or "0", DEFAULT_LIMITS.count
    if len(digits) > len(str(limit)) or int(digits) > limit:
        report.error(
            cell.span,
            "E515",
            f"'{column}' is out of range, got '{_short(text)}'",
            f"counts must be at most {limit:,}",
        )
        return None
    return int(digits)


def _text(cell: Cell | None, column: str, report: Report) -> str | None:
    if cell is None or cell.text == "":
        return None
    if len(cell.text) > DEFAULT_LIMITS.text_chars:
        report.error(
            cell.span,
            "E020",
            f"'{column}' is {len(cell.text)} characters long, more than "
            f"{DEFAULT_LIMITS.text_chars}",
            "shorten it, or attach the full text as a file",
        )
        return None
    if cell.text.startswith(FORMULA_START):
        report.error(
            cell.span,
            "E508",
            f"'{column}' starts with '{cell.text[0]}' and would run as a spreadsheet formula",
            "start the text with a letter or digit",
        )
        return None
    return cell.text


def _observation(
    row: dict[str, Cell],
    metric_scope: tuple[str, ...],
    sample: m.Sample | None,
    dialect: Dialect,
    report: Report,
) -> m.Observation | None:
    period_cell = row["period"]
    try:
        if not PERIOD.fullmatch(period_cell.text):
            raise ValueError
        period = _month(period_cell.text)
    except ValueError:
        report.error(
            period_cell.span,
            "E502",
            f"'period' must be a month written YYYY-MM, got '{period_cell.text}'",
        )
        period = None
    if period is not None and not check_year(
        period.year, period_cell.text, period_cell.span, "period", report
    ):
        period = None
    proportion = sample is not None and sample.statistic == "proportion"
    value = _value(row["value"], proportion, dialect, report)
    scope = metric_scope[0]
    if "scope" in row:
        scope_text = _text(row["scope"], "scope", report) or ""
        if scope_text not in metric_scope:
            report.error(
                row["scope"].span,
                "E512",
                f"scope '{scope_text}' is not one of the metric's scopes: "
                f"{', '.join(metric_scope)}",
            )
            return None
        scope = scope_text
    counts: dict[str, int | None] = {"n": None, "promoters": None, "detractors": None}
    for column in counts:
        cell = row.get(column)
        if cell is None or (cell.text == "" and (column != "n" or sample is None)):
            continue
        counts[column] = _count(cell, column, report)
    n = counts["n"]
    if sample is not None and "n" in row and n == 0:
        report.error(row["n"].span, "E506", "'n' must be at least 1 for a sampled metric")
        return None
    for column in ("promoters", "detractors"):
        count = counts[column]
        if count is not None and n is not None and count > n:
            report.error(row[column].span, "E505", f"'{column}' ({count}) is more than n ({n})")
            return None
    note = _text(row.get("note"), "note", report)
    if period is None or value is None:
        return None
    return m.Observation(
        period,
        value,
        scope,
        n,
        counts["promoters"],
        counts["detractors"],
        note,
        period_cell.span,
    )


def _check_sequence(
    observations: list[m.Observation],
    complete: bool,
    as_of: m.Month,
    split: bool,
    report: Report,
    annotations: Sequence[m.Annotation] = (),
) -> None:
    """Duplicates and order per scope; gaps only when every row could be read, and only when
    no `event` or `signal` annotation (of that scope or of all) explains a month of the gap.
    The messages of a metric reported per site or program (`split`) name the scope."""
    by_scope: dict[str, list[m.Observation]] = {}
    for obs in observations:
        by_scope.setdefault(obs.scope, []).append(obs)
        if obs.period > as_of:
            report.error(
                obs.span,
                "E513",
                f"period {obs.period}{f' for scope {obs.scope}' if split else ''} is after the "
                f"portfolio's as_of month {as_of}",
            )
    for scope, rows in by_scope.items():
        label = f" for scope {scope}" if split else ""
        seen: dict[m.Month, m.Observation] = {}
        latest: m.Observation | None = None
        for obs in rows:
            if obs.period in seen:
                report.error(
                    obs.span,
                    "E503",
                    f"duplicate period {obs.period}{label} "
                    f"(first at line {seen[obs.period].span.line})",
                    "keep one row per month",
                )
                continue
            if latest is not None and obs.period < latest.period:
                report.error(
                    obs.span,
                    "E504",
                    f"period {obs.period}{label} is out of order (after {latest.period})",
                    "sort the rows by period",
                )
            else:
                latest = obs
            seen[obs.period] = obs
        if not complete:
            continue
        ordered = sorted(seen)
        for before, after in itertools.pairwise(ordered):
            if after.index - before.index > 1:
                missing = [before + k for k in range(1, after.index - before.index)]
                explained = any(  # a phase start marks a change, not why data is missing
                    a.period in missing and a.scope in (None, scope) and a.kind != "phase"
                    for a in annotations
                )
                if explained:
                    continue
                report.warning(
                    seen[after].span,
                    "W501",
                    f"gap in the data{label}: no value for {ranges(missing)}",
                    "add the missing months, or annotate why there is no data",
                )


def build_metric(
    doc: Document, table: Table | None, data_rel: str, as_of: m.Month, report: Report
) -> m.Metric:
    f = Fields(doc, report)
    direction: str = f.get("direction")
    scope_value = f.get("scope")
    scope = (scope_value,) if isinstance(scope_value, str) else tuple(scope_value)
    sampled = bool(f.get("sampled"))
    raw_sample = f.get("sample")
    sample = None
    if sampled and raw_sample is None:
        report.error(
            f.span("sampled"),
            "E101",
            "a sampled metric needs a 'sample' block",
            "add sample: {planned_n: ..., statistic: proportion}",
        )
    elif not sampled and raw_sample is not None:
        report.error(f.span("sample"), "E106", "'sample' is given but 'sampled' is false")
    if sampled and raw_sample is not None:
        sample = m.Sample(raw_sample.get("unit"), raw_sample["planned_n"], raw_sample["statistic"])
    proportion = sample is not None and sample.statistic == "proportion"
    dialect = Dialect.of(doc.data)
    if dialect.decimal == dialect.delimiter:
        report.error(
            f.span("csv", "decimal"),
            "E106",
            "'csv.decimal' ',' needs 'csv.delimiter' ';' or a tab: one ',' cannot separate "
            "both fields and decimals",
            'add delimiter: ";" (as spreadsheets with a decimal comma export)',
        )
    scopes = Scopes(f, scope, report)
    targets = read_targets(f, scopes, direction, proportion, report)
    comparators = read_comparators(f, scopes, report)
    annotations = read_annotations(f, scopes)
    definitions = read_definitions(f, scopes)  # scopes measured their own way
    observations: list[m.Observation] = []
    if table is not None:
        if sampled and "n" not in table.header:
            report.error(Span(table.rel, 1, 1), "E506", "missing column 'n' for a sampled metric")
        if len(scope) > 1 and "scope" not in table.header:
            report.error(
                Span(table.rel, 1, 1),
                "E512",
                f"missing column 'scope': the metric is reported for {', '.join(scope)}",
            )
        else:
            for row in table.rows:
                obs = _observation(row, scope, sample, dialect, report)
                if obs is not None:
                    observations.append(obs)
            complete = table.complete and len(observations) == len(table.rows)
            _check_sequence(observations, complete, as_of, len(scope) > 1, report, annotations)
        check_coverage(f, scopes, targets, observations, report)
    return m.Metric(
        id=f.get("id"),
        title=f.get("title"),
        description=f.get("description"),
        metric_class=f.get("class"),
        formula=tuple(sorted((f.get("formula") or {}).items())),
        unit=f.get("unit"),
        decimals=f.get("decimals") if f.get("decimals") is not None else 1,
        direction=direction,
        scope=scope,
        source=f.get("source"),
        owner=f.get("owner"),
        sampled=sampled,
        sample=sample,
        targets=tuple(targets),
        comparators=tuple(comparators),
        supports=tuple(f.get("supports") or []),
        annotations=tuple(annotations),
        data_path=data_rel,
        observations=tuple(sorted(observations, key=lambda o: (o.scope, o.period))),
        notes=f.get("notes"),
        span=f.span(),
        definitions=definitions,
    )
