"""The English words of the diff report, built once for every format.

`sections` turns a `Diff` into titled sections of entries; a `Style` escapes user text for its
format and links IDs, so Markdown and text say the same thing. Reasons and verdicts are the
assessment's messages (`Message.text`); this module adds only the frame around them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from generator import model as m
from generator.portfolio.targets import ranges
from generator.review.changes import (
    Appearance,
    AttachmentChange,
    Change,
    Diff,
    FindingEvent,
    RecordChange,
    SuspectLink,
)

SHA_SHOWN = 12  # hex digits of a SHA-256 shown in Markdown and text (JSON has all 64)
EVENT_WORDS = {
    FindingEvent.OPENED: "opened",
    FindingEvent.REMOVED: "removed",
    FindingEvent.CLOSED: "closed",
    FindingEvent.REOPENED: "reopened",
    FindingEvent.OVERDUE: "became overdue",
    FindingEvent.VERIFIED: "effectiveness verified",
}
KIND_WORDS = {
    "requirement": "requirement",
    "evidence": "evidence item",
    "metric": "metric",
    "finding": "finding",
    "portfolio": "portfolio.yaml",
}


class Style(Protocol):
    """How a format shows user text, emphasis and a record's ID."""

    def text(self, value: object) -> str: ...

    def strong(self, value: str) -> str: ...

    def ref(self, kind: str, ident: str) -> str: ...


@dataclass(frozen=True)
class Entry:
    line: str
    sub: tuple[str, ...] = ()


Group = tuple[str | None, tuple[Entry, ...]]


@dataclass(frozen=True)
class Section:
    title: str
    groups: tuple[Group, ...]

    @property
    def count(self) -> int:
        return sum(len(entries) for _, entries in self.groups)


def _counted(parts: Iterable[tuple[int, str]]) -> str:
    """`(2, "month{s} rewritten")` → "2 months rewritten"; zero counts are left out."""
    return ", ".join(f"{n} {word.format(s='' if n == 1 else 's')}" for n, word in parts if n)


def summary(diff: Diff) -> str:
    """One line of counts, worst news first; no user text."""
    worse = sum(c.worse for c in diff.requirements)
    metrics_worse = sum(c.worse for c in diff.metrics)
    moved = sum(c.before != c.after for c in diff.metrics)
    changes = Counter(r.change for r in diff.records)
    events = Counter(e for f in diff.findings for e in f.events)
    signals = Counter(s.change for s in diff.signals)
    parts = {
        "Requirements": [(worse, "worse"), (len(diff.requirements) - worse, "better")],
        "Coverage": [
            (sum(c.lost for c in diff.coverage), "lost"),
            (sum(not c.lost for c in diff.coverage), "gained"),
        ],
        "Suspect links": [(len(diff.suspects), "new")],
        "Metrics": [
            (metrics_worse, "worse"),
            (moved - metrics_worse, "better"),
            (len(diff.metrics) - moved, "verdict{s} changed"),
            (signals[Appearance.NEW], "new signal{s}"),
            (signals[Appearance.CLEARED], "signal{s} cleared"),
            (len(diff.targets), "target change{s}"),
            (sum(len(d.added) for d in diff.data), "month{s} added"),
            (sum(len(d.removed) for d in diff.data), "month{s} removed"),
            (diff.rewrites, "month{s} rewritten"),
        ],
        "Evidence": [
            (sum(c.worse for c in diff.freshness), "newly stale or expiring"),
            (sum(not c.worse for c in diff.freshness), "fresher"),
            (len(diff.attachments), "attachment{s} changed"),
        ],
        "Findings": [(events[e], EVENT_WORDS[e]) for e in FindingEvent],
        "Records": [(changes[c], c.value) for c in Change],
    }
    said = [f"{name}: {_counted(counts)}" for name, counts in parts.items() if _counted(counts)]
    return " · ".join(said) if said else "No change to statuses, records, data or links."


def as_of_line(diff: Diff) -> str:
    """Requirements met before and after, and the date both sides were assessed at."""
    before, after = diff.counts_before, diff.counts_after
    total_before = sum(n for _, n in before.statuses)
    total_after = sum(n for _, n in after.statuses)
    met = f"Requirements met: {before.statuses[0][1]} of {total_before} → "
    met += f"{after.statuses[0][1]} of {total_after} "
    met += f"({before.percent_met:.0f} % → {after.percent_met:.0f} %)"
    source = "head's as_of" if diff.as_of == diff.head.as_of else "the date given"
    line = f"{met}; both sides assessed as of {diff.as_of} ({source}"
    if diff.base.as_of != diff.as_of:
        line += f"; base's own as_of is {diff.base.as_of}"
    return line + ")."


def _item(style: Style, kind: str, ident: str, title: str) -> str:
    return f"{style.strong(style.ref(kind, ident))} {style.text(title)}"


def _requirements(diff: Diff, style: Style, worse: bool) -> Section:
    groups: list[tuple[str, list[Entry]]] = []
    for c in diff.requirements:
        if c.worse != worse:
            continue
        group = f"{style.text(c.category)} {style.text(c.category_title)}"
        if not groups or groups[-1][0] != group:
            groups.append((group, []))
        sub = [f"now: {style.text(r.text)}" for r in c.reasons_after]
        sub += [f"no longer: {style.text(r.text)}" for r in c.reasons_before]
        line = f"{_item(style, 'requirement', c.id, c.title)}: {c.before} → {c.after}"
        groups[-1][1].append(Entry(line, tuple(sub)))
    title = "Requirements that got worse" if worse else "Requirements that got better"
    return Section(title, tuple((g, tuple(e)) for g, e in groups))


def _records(records: Iterable[RecordChange], style: Style) -> tuple[Group, ...]:
    changes = tuple(records)
    groups = []
    for change in Change:
        entries = tuple(
            Entry(
                _item(style, r.kind, r.id, r.title)
                + (f" ({', '.join(r.fields)})" if r.fields else "")
            )
            for r in changes
            if r.change == change
        )
        groups.append((change.value.capitalize(), entries))
    return tuple(groups)


def _sha(value: str | None) -> str:
    return f"sha256:{value[:SHA_SHOWN]}" if value else "none"


def _attachment(c: AttachmentChange, style: Style) -> Entry:
    items = ", ".join(style.ref("evidence", e) for e in c.evidence)
    if c.before is None:
        what = f"new, {_sha(c.after)}"
    elif c.after is None:
        what = f"no longer attached (was {_sha(c.before)})"
    else:
        what = f"bytes changed: {_sha(c.before)} → {_sha(c.after)}"
    return Entry(f"{style.text(c.path)} ({items}): {what}")


def _evidence(diff: Diff, style: Style) -> Section:
    fresh = [
        (
            "Newly stale or expiring" if worse else "Fresher",
            tuple(
                Entry(
                    f"{_item(style, 'evidence', c.id, c.title)}: {c.before} → {c.after}: "
                    f"{style.text(c.because.text)}"
                )
                for c in diff.freshness
                if c.worse == worse
            ),
        )
        for worse in (True, False)
    ]
    records = _records((r for r in diff.records if r.kind == "evidence"), style)
    attachments = ("Attachments", tuple(_attachment(c, style) for c in diff.attachments))
    return Section("Evidence", _nonempty([*fresh, *records, attachments]))


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def _targets(targets: tuple[m.Target, ...], style: Style) -> str:
    def one(t: m.Target) -> str:
        when = f"from {t.start}" + (f" to {t.end}" if t.end else "")
        value = _number(t.value) if t.value is not None else f"{_number(t.low)}–{_number(t.high)}"
        return f"{when}: {value}" + (f" ({style.text(t.scope)})" if t.scope else "")

    return "; ".join(one(t) for t in targets) or "none"


def _metrics(diff: Diff, style: Style) -> Section:
    verdicts = tuple(
        Entry(
            f"{_item(style, 'metric', c.id, c.title)}: "
            + (f"{c.before} → {c.after}" if c.before != c.after else f"{c.after}, verdict changed"),
            tuple(f"was: {style.text(v.text)}" for v in c.verdicts_before)
            + tuple(f"now: {style.text(v.text)}" for v in c.verdicts_after),
        )
        for c in diff.metrics
    )
    signals = tuple(
        Entry(
            f"{style.ref('metric', s.metric)} ({style.text(s.scope)}): {s.change} {s.rule} "
            f"signal, {s.direction}, {s.start}"
            + (f" to {s.end}" if s.end != s.start else "")
            + (" (favourable)" if s.favourable else "")
        )
        for s in diff.signals
    )
    targets = tuple(
        Entry(
            f"{style.ref('metric', t.metric)}: {_targets(t.before, style)} → "
            f"{_targets(t.after, style)}"
        )
        for t in diff.targets
    )
    data = []
    for d in diff.data:
        sub = tuple(
            f"{style.text(r.scope)} {r.period}: {r.value_before:.{d.decimals}f} → "
            f"{r.value_after:.{d.decimals}f}"
            + (
                f" (n {_number(r.n_before)} → {_number(r.n_after)})"
                if r.n_before != r.n_after
                else ""
            )
            for r in d.rewritten
        )
        said = _counted(
            [
                (len(d.rewritten), "month{s} rewritten (history changed)"),
                (len(d.added), "month{s} added"),
                (len(d.removed), "month{s} removed"),
            ]
        )
        months = [
            f"{what} {style.text(scope)} {ranges(p for s, p in rows if s == scope)}"
            for what, rows in (("added", d.added), ("removed", d.removed))
            for scope in sorted({s for s, _ in rows})
        ]
        line = f"{style.ref('metric', d.metric)}: {said}"
        data.append(Entry(line + (f" ({'; '.join(months)})" if months else ""), sub))
    records = _records((r for r in diff.records if r.kind == "metric"), style)
    return Section(
        "Metrics",
        _nonempty(
            [
                ("Verdicts", verdicts),
                ("Signals", signals),
                ("Targets", targets),
                ("Data", tuple(data)),
                *records,
            ]
        ),
    )


def _findings(diff: Diff, style: Style) -> Section:
    status = tuple(
        Entry(
            f"{_item(style, 'finding', c.id, c.title)} ({c.grade}): "
            f"{c.before or 'not there'} → {c.after or 'not there'}"
            + (f" ({', '.join(EVENT_WORDS[e] for e in c.events)})" if c.events else ""),
            (f"now: {style.text(c.because.text)}",) if c.because else (),
        )
        for c in diff.findings
    )
    records = _records((r for r in diff.records if r.kind == "finding"), style)
    return Section("Findings", _nonempty([("Status", status), *records]))


def _coverage(diff: Diff, style: Style) -> Section:
    entries = tuple(
        Entry(
            f"{_item(style, 'requirement', c.id, c.title)}: "
            + (
                f"lost its only evidence ({', '.join(style.ref('evidence', e) for e in c.before)})"
                if c.lost
                else f"gained evidence ({', '.join(style.ref('evidence', e) for e in c.after)})"
            )
        )
        for c in diff.coverage
    )
    return Section("Coverage", ((None, entries),) if entries else ())


def _suspect(s: SuspectLink, style: Style) -> Entry:
    which = {
        "owner": f"{KIND_WORDS[s.owner_kind]} changed",
        "target": f"{KIND_WORDS[s.target_kind]} changed",
        "both": "both ends changed",
    }
    return Entry(
        f"{style.ref(s.owner_kind, s.owner_id)} → {style.ref(s.target_kind, s.target_id)} "
        f"({KIND_WORDS[s.owner_kind]} → {KIND_WORDS[s.target_kind]}): {which[s.changed]} "
        f"since {style.text(s.reviewed_by)} reviewed it on {s.reviewed_on}"
    )


def _nonempty(groups: Iterable[Group]) -> tuple[Group, ...]:
    return tuple((g, e) for g, e in groups if e)


def sections(diff: Diff, style: Style) -> list[Section]:
    """The report's sections in reading order, regressions first; empty ones left out."""
    suspects = tuple(_suspect(s, style) for s in diff.suspects)
    definitions = _records(
        (r for r in diff.records if r.kind in ("portfolio", "requirement")), style
    )
    found = [
        _requirements(diff, style, worse=True),
        _coverage(diff, style),
        Section("Suspect links", ((None, suspects),) if suspects else ()),
        _requirements(diff, style, worse=False),
        _metrics(diff, style),
        _evidence(diff, style),
        _findings(diff, style),
        Section("Requirements and portfolio.yaml", _nonempty(definitions)),
    ]
    return [s for s in found if s.count]
