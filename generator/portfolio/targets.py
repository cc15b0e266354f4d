"""A metric's targets, annotations and comparators, each for every scope or for one.

An entry may name a `scope`, one of the metric's own sites or programs (E512 otherwise); without
one it applies to every scope. Targets must fit the metric's direction and must not overlap
within one scope: two targets for every scope, or two for the same scope, overlapping is E507,
while a target for one scope may overlap one for every scope and wins for its scope. Every month
with data of a scope needs a target for that scope or for every scope (W502, naming the scope
of a metric reported per site or program).
"""

from __future__ import annotations

from collections.abc import Iterable

from generator import model as m
from generator.diagnostics import Report, suggest
from generator.portfolio.records import Fields
from generator.portfolio.values import check_year


def ranges(months: Iterable[m.Month]) -> str:
    """`2024-01` for one month, `2024-01 to 2024-03` for several."""
    items = sorted(months)
    return f"{items[0]}" if len(items) == 1 else f"{items[0]} to {items[-1]}"


class Scopes:
    """Reads the `scope` of entries against the metric's scopes, remembering unknown ones so
    that a typo is reported once and does not cascade into coverage warnings."""

    def __init__(self, f: Fields, metric_scope: tuple[str, ...], report: Report) -> None:
        self.f = f
        self.metric_scope = metric_scope
        self.report = report
        self.unknown: set[str] = set()

    def read(self, section: str, index: int) -> str | None:
        value: str | None = self.f.get(section, index, "scope")
        if value is None or value in self.metric_scope:
            return value
        self.unknown.add(value)
        self.report.error(
            self.f.span(section, index, "scope"),
            "E512",
            f"scope '{value}' in '{section}[{index}]' is not one of the metric's scopes: "
            f"{', '.join(self.metric_scope)}",
            suggest(value, self.metric_scope)
            or "name one of the metric's scopes, or remove 'scope' to apply to every scope",
        )
        return value

    def applies(self, entry_scope: str | None, scope: str) -> bool:
        """Whether an entry for `entry_scope` applies to `scope` (an unknown one: to all)."""
        return entry_scope is None or entry_scope == scope or entry_scope in self.unknown

    def label(self, scope: str | None) -> str:
        return f" for scope {scope}" if scope is not None and len(self.metric_scope) > 1 else ""


def _check_bounds(f: Fields, i: int, direction: str, proportion: bool, report: Report) -> None:
    raw = f.get("targets", i)
    for key in ("value", "low", "high"):
        if proportion and raw.get(key) is not None and not 0 <= raw[key] <= 100:
            report.error(
                f.span("targets", i, key),
                "E105",
                f"'targets[{i}].{key}' must be from 0 to 100 for a proportion, got {raw[key]}",
            )
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
        return
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


def read_targets(
    f: Fields, scopes: Scopes, direction: str, proportion: bool, report: Report
) -> list[m.Target]:
    """The targets in order of their first month; overlaps within one scope are E507."""
    targets: list[m.Target] = []
    for i, raw in enumerate(f.get("targets")):
        _check_bounds(f, i, direction, proportion, report)
        start, end = f.month("targets", i, "from"), f.month("targets", i, "to")
        f.order(("targets", i, "from"), ("targets", i, "to"), start, end)
        scope = scopes.read("targets", i)
        if start is None:
            continue
        target = m.Target(
            start,
            end,
            raw.get("value"),
            raw.get("low"),
            raw.get("high"),
            raw.get("rationale"),
            f.span("targets", i),
            scope,
        )
        for other in targets:
            if other.scope != scope or scope in scopes.unknown:
                continue
            if other.covers(start) or target.covers(other.start):
                report.error(
                    target.span,
                    "E507",
                    f"target from {start}{scopes.label(scope)} overlaps the target from "
                    f"{other.start} (line {other.span.line})",
                    "end the earlier target with 'to:' the month before",
                )
        targets.append(target)
    return sorted(targets, key=lambda t: t.start)


def check_coverage(
    f: Fields,
    scopes: Scopes,
    targets: list[m.Target],
    observations: list[m.Observation],
    report: Report,
) -> None:
    """W502 for the months with data but no target in force, once per scope."""
    if not targets:
        return
    uncovered: dict[str, list[m.Month]] = {}
    for obs in observations:
        if not any(t.covers(obs.period) and scopes.applies(t.scope, obs.scope) for t in targets):
            uncovered.setdefault(obs.scope, []).append(obs.period)
    for scope, months in sorted(uncovered.items()):
        split = len(scopes.metric_scope) > 1
        report.warning(
            f.span("targets"),
            "W502",
            f"no target in force for scope {scope}: {ranges(months)}"
            if split
            else f"no target in force for {ranges(months)}",
            f"add a target for scope {scope}, or one for every scope, covering every month "
            "with data"
            if split
            else "extend a target's 'from'/'to' to cover every month with data",
        )


def read_annotations(f: Fields, scopes: Scopes) -> list[m.Annotation]:
    out = []
    for i, raw in enumerate(f.get("annotations") or []):
        period = f.month("annotations", i, "period")
        scope = scopes.read("annotations", i)
        if period is not None:
            out.append(
                m.Annotation(
                    period,
                    raw["kind"],
                    raw["text"],
                    raw.get("finding"),
                    raw.get("evidence"),
                    f.span("annotations", i),
                    scope,
                )
            )
    return out


def read_comparators(f: Fields, scopes: Scopes, report: Report) -> list[m.Comparator]:
    out = []
    for i, raw in enumerate(f.get("comparators") or []):
        when = str(raw["date"])
        if "-" in when:
            f.month("comparators", i, "date")
        else:
            check_year(
                int(when), when, f.span("comparators", i, "date"), f"comparators[{i}].date", report
            )
        scope = scopes.read("comparators", i)
        out.append(
            m.Comparator(raw["label"], raw["value"], raw["source"], when, raw.get("kind"), scope)
        )
    return out
