"""A metric's definition and monthly data → a `Metric`, with every data problem positioned.

Targets must not overlap and must fit the metric's direction; data rows need a real period in
order, one row per period and scope, plain ASCII numbers, and n where the metric is sampled.
Numbers stay within what statistics and charts handle (|value| at most `Limits.magnitude`, counts
at most `Limits.count`), and a proportion is a percentage from 0 to 100. Gaps and months with no
target in force are warnings: the data may be honest but incomplete.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from generator import model as m
from generator.diagnostics import Report, Span
from generator.portfolio.csvparse import Cell, Table
from generator.portfolio.records import Fields
from generator.portfolio.source import DEFAULT_LIMITS
from generator.portfolio.values import check_year
from generator.portfolio.yamlparse import Document

NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
COUNT = re.compile(r"[0-9]+")
PERIOD = re.compile(r"[0-9]{4}-[0-9]{2}")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _targets(f: Fields, direction: str, proportion: bool, report: Report) -> list[m.Target]:
    targets: list[m.Target] = []
    for i, raw in enumerate(f.get("targets")):
        for key in ("value", "low", "high"):
            if proportion and raw.get(key) is not None and not 0 <= raw[key] <= 100:
                report.error(
                    f.span("targets", i, key),
                    "E105",
                    f"'targets[{i}].{key}' must be from 0 to 100 for a proportion, got {raw[key]}",
                )
        start, end = f.month("targets", i, "from"), f.month("targets", i, "to")
        f.order(("targets", i, "from"), ("targets", i, "to"), start, end)
        span = f.span("targets", i)
        if direction == "band":
            if raw.get("low") is None or raw.get("high") is None:
                report.error(span, "E101", "a target of a 'band' metric needs 'low' and 'high'")
            elif raw["low"] > raw["high"]:
                report.error(
                    f.span("targets", i, "high"),
                    "E105",
                    f"'targets[{i}].high' ({raw['high']}) is below 'low' ({raw['low']})",
                )
            if raw.get("value") is not None:
                report.error(
                    f.span("targets", i, "value"),
                    "E106",
                    "'value' does not apply to a 'band' metric",
                    "use 'low' and 'high'",
                )
        else:
            if raw.get("value") is None:
                report.error(span, "E101", f"a target of a '{direction}' metric needs 'value'")
            for key in ("low", "high"):
                if raw.get(key) is not None:
                    report.error(
                        f.span("targets", i, key),
                        "E106",
                        f"'{key}' applies only to 'band' metrics",
                        "use 'value'",
                    )
        if start is None:
            continue
        target = m.Target(
            start,
            end,
            raw.get("value"),
            raw.get("low"),
            raw.get("high"),
            raw.get("rationale"),
            span,
        )
        for other in targets:
            if other.covers(start) or target.covers(other.start):
                report.error(
                    span,
                    "E507",
                    f"target from {start} overlaps the target from {other.start} "
                    f"(line {other.span.line})",
                    "end the earlier target with 'to:' the month before",
                )
        targets.append(target)
    return sorted(targets, key=lambda t: t.start)


def _annotations(f: Fields) -> list[m.Annotation]:
    out = []
    for i, raw in enumerate(f.get("annotations") or []):
        period = f.month("annotations", i, "period")
        if period is not None:
            out.append(
                m.Annotation(
                    period,
                    raw["kind"],
                    raw["text"],
                    raw.get("finding"),
                    raw.get("evidence"),
                    f.span("annotations", i),
                )
            )
    return out


def _number(cell: Cell, column: str, pattern: re.Pattern[str], report: Report) -> str | None:
    if cell.text == "":
        report.error(
            cell.span,
            "E505",
            f"empty '{column}'",
            "fill it in, or remove the row to record a missing month",
        )
        return None
    if not pattern.fullmatch(cell.text):
        kind = "a whole number" if pattern is COUNT else "a plain number (digits, '-' and '.')"
        report.error(cell.span, "E505", f"'{column}' must be {kind}, got '{cell.text}'")
        return None
    return cell.text


def _short(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:12]}... ({len(text)} characters)"


def _value(cell: Cell, proportion: bool, report: Report) -> float | None:
    """The cell's number, within the range statistics and charts handle."""
    text = _number(cell, "value", NUMBER, report)
    if text is None:
        return None
    value, limit = float(text), DEFAULT_LIMITS.magnitude
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
    row: dict[str, Cell], metric_scope: tuple[str, ...], sample: m.Sample | None, report: Report
) -> m.Observation | None:
    period_cell = row["period"]
    try:
        if not PERIOD.fullmatch(period_cell.text):
            raise ValueError
        period = m.Month.parse(period_cell.text)
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
    value = _value(row["value"], proportion, report)
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


def _ranges(months: Iterable[m.Month]) -> str:
    items = sorted(months)
    return f"{items[0]}" if len(items) == 1 else f"{items[0]} to {items[-1]}"


def _check_sequence(
    observations: list[m.Observation], complete: bool, as_of: m.Month, report: Report
) -> None:
    """Duplicates and order per scope; gaps only when every row could be read."""
    by_scope: dict[str, list[m.Observation]] = {}
    for obs in observations:
        by_scope.setdefault(obs.scope, []).append(obs)
        if obs.period > as_of:
            report.error(
                obs.span,
                "E513",
                f"period {obs.period} is after the portfolio's as_of month {as_of}",
            )
    for scope, rows in by_scope.items():
        label = f" for scope {scope}" if len(by_scope) > 1 else ""
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
                report.warning(
                    seen[after].span,
                    "W501",
                    f"gap in the data{label}: no value for {_ranges(missing)}",
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
    targets = _targets(f, direction, proportion, report)
    for i, comparator in enumerate(f.get("comparators") or []):
        when = str(comparator["date"])
        if "-" in when:
            f.month("comparators", i, "date")
        else:
            check_year(
                int(when), when, f.span("comparators", i, "date"), f"comparators[{i}].date", report
            )
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
                obs = _observation(row, scope, sample, report)
                if obs is not None:
                    observations.append(obs)
            complete = table.complete and len(observations) == len(table.rows)
            _check_sequence(observations, complete, as_of, report)
        uncovered = [o.period for o in observations if not any(t.covers(o.period) for t in targets)]
        if targets and uncovered:
            report.warning(
                f.span("targets"),
                "W502",
                f"no target in force for {_ranges(uncovered)}",
                "extend a target's 'from'/'to' to cover every month with data",
            )
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
        comparators=tuple(
            m.Comparator(c["label"], c["value"], c["source"], str(c["date"]), c.get("kind"))
            for c in f.get("comparators") or []
        ),
        supports=tuple(f.get("supports") or []),
        annotations=tuple(_annotations(f)),
        data_path=data_rel,
        observations=tuple(sorted(observations, key=lambda o: (o.scope, o.period))),
        notes=f.get("notes"),
        span=f.span(),
    )
