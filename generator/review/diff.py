"""Comparing two versions of a portfolio: both assessed as of one date, then set side by side.

`diff_sides` assesses the base and head portfolios as of the same date (head's `as_of`, or the
date given), so the result shows what the change did, not what the calendar did, and
`compare` turns the two assessments into a `Diff` (see `changes`). Pure functions of the
validated portfolios, their attachment hashes and the date; no sentence is built here.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from generator import model as m
from generator.assess.messages import Code, Message
from generator.assess.metrics import MetricResult
from generator.assess.states import (
    METRIC_STATUSES,
    REQUIREMENT_STATUSES,
    FindingState,
    FreshnessState,
)
from generator.assess.status import Assessment, assess_portfolio
from generator.review.changes import (
    Appearance,
    AttachmentChange,
    Change,
    Changed,
    Counts,
    CoverageChange,
    DataChange,
    Diff,
    FindingChange,
    FindingEvent,
    FreshnessChange,
    MetricChange,
    RecordChange,
    Rewrite,
    SideInfo,
    SignalChange,
    StatusChange,
    SuspectLink,
    TargetChange,
)
from generator.review.sides import Side
from generator.review.suspect import find_suspects

KINDS = ("portfolio", "requirement", "evidence", "metric", "finding")
#: Fields compared elsewhere: metric data rows are `DataChange`s.
NOT_FIELDS = {"span", "observations"}
CLOSED = (FindingState.CLOSED, FindingState.VERIFIED_CLOSED)


@dataclass(frozen=True)
class Assessed:
    """One side, assessed: what `compare` needs."""

    info: SideInfo
    assessment: Assessment
    hashes: dict[str, str]  # attachment SHA-256 by portfolio path

    @property
    def portfolio(self) -> m.Portfolio:
        return self.assessment.portfolio


def diff_sides(base: Side, head: Side, as_of: dt.date | None = None) -> Diff:
    """The diff of two valid sides, both assessed as of `as_of` (default: head's as_of)."""
    assert base.portfolio is not None and head.portfolio is not None
    day = as_of or head.portfolio.config.as_of
    assessed = []
    for side, portfolio in ((base, base.portfolio), (head, head.portfolio)):
        source = side.source
        info = SideInfo(
            source.name, source.label, source.kind, source.revision, portfolio.config.as_of
        )
        assessed.append(Assessed(info, assess_portfolio(portfolio, day), side.attachment_hashes()))
    return compare(assessed[0], assessed[1])


def compare(base: Assessed, head: Assessed) -> Diff:
    """Everything that differs between two assessments made as of the same date."""
    assert base.assessment.as_of == head.assessment.as_of, "assess both sides at one date"
    return Diff(
        base=base.info,
        head=head.info,
        as_of=head.assessment.as_of,
        counts_before=_counts(base.assessment),
        counts_after=_counts(head.assessment),
        requirements=_statuses(base.assessment, head.assessment),
        records=tuple(c for kind in KINDS for c in _records(kind, base.portfolio, head.portfolio)),
        freshness=_freshness(base.assessment, head.assessment),
        attachments=_attachments(base, head),
        metrics=_metrics(base.assessment, head.assessment),
        signals=_signals(base.assessment, head.assessment),
        targets=_targets(base.portfolio, head.portfolio),
        data=_data(base.portfolio, head.portfolio),
        findings=_findings(base.assessment, head.assessment),
        coverage=_coverage(base.assessment, head.assessment),
        suspects=_suspects(base.portfolio, head.portfolio),
    )


def _counts(assessment: Assessment) -> Counts:
    requirements, metrics = assessment.tally("requirements"), assessment.tally("metrics")
    return Counts(
        tuple((s, requirements[s]) for s in REQUIREMENT_STATUSES),
        requirements.percent("met"),
        tuple((s, metrics[s]) for s in METRIC_STATUSES),
    )


def _table(portfolio: m.Portfolio, kind: str) -> dict[str, Any]:
    tables: dict[str, dict[str, Any]] = {
        "requirement": portfolio.requirements,
        "evidence": portfolio.evidence,
        "metric": portfolio.metrics,
        "finding": portfolio.findings,
    }
    return tables[kind]


def plain(value: Any) -> Any:
    """A comparable copy of a model value without positions (`span`)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value) if f.name != "span"}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, enum.Enum | dt.date | m.Month):
        return str(value)
    return value


def changed_fields(before: Any, after: Any) -> tuple[str, ...]:
    """The names of the dataclass fields whose values differ, positions aside."""
    return tuple(
        f.name
        for f in fields(before)
        if f.name not in NOT_FIELDS
        and plain(getattr(before, f.name)) != plain(getattr(after, f.name))
    )


def _records(kind: str, base: m.Portfolio, head: m.Portfolio) -> list[RecordChange]:
    if kind == "portfolio":  # portfolio.yaml: one record on each side
        names = changed_fields(base.config, head.config)
        config = head.config
        return [RecordChange(kind, config.id, config.title, Change.CHANGED, names)] if names else []
    before, after = _table(base, kind), _table(head, kind)
    changes = []
    for ident in sorted(before.keys() | after.keys()):
        if ident not in before:
            changes.append(RecordChange(kind, ident, after[ident].title, Change.ADDED))
        elif ident not in after:
            changes.append(RecordChange(kind, ident, before[ident].title, Change.REMOVED))
        elif names := changed_fields(before[ident], after[ident]):
            changes.append(RecordChange(kind, ident, after[ident].title, Change.CHANGED, names))
    return changes


def _only(these: Iterable[Any], those: Iterable[Any]) -> tuple[Any, ...]:
    others = list(those)
    return tuple(x for x in these if x not in others)


def _statuses(base: Assessment, head: Assessment) -> tuple[StatusChange, ...]:
    categories = {c.id: (i, c.title) for i, (c, _) in enumerate(head.categories)}
    changes = []
    for rid, new in head.requirements.items():
        old = base.requirements.get(rid)
        if old is None or old.status == new.status:
            continue
        category = new.requirement.category
        changes.append(
            StatusChange(
                rid,
                new.requirement.title,
                category,
                categories.get(category, (0, category))[1],
                old.status,
                new.status,
                _only(old.reasons, new.reasons),
                _only(new.reasons, old.reasons),
            )
        )
    order = {cid: index for cid, (index, _) in categories.items()}
    return tuple(
        sorted(changes, key=lambda c: (not c.worse, order.get(c.category, len(order)), c.id))
    )


def _freshness(base: Assessment, head: Assessment) -> tuple[FreshnessChange, ...]:
    changes = [
        FreshnessChange(eid, new.evidence.title, base.evidence[eid].state, new.state, new.because)
        for eid, new in head.evidence.items()
        if eid in base.evidence and base.evidence[eid].state != new.state
    ]
    return tuple(sorted(changes, key=lambda c: (not c.worse, c.id)))


def _attachments(base: Assessed, head: Assessed) -> tuple[AttachmentChange, ...]:
    def users(portfolio: m.Portfolio, path: str) -> tuple[str, ...]:
        return tuple(
            e.id for e in portfolio.evidence.values() if any(a.path == path for a in e.attachments)
        )

    changes = []
    for path in sorted(base.hashes.keys() | head.hashes.keys()):
        before, after = base.hashes.get(path), head.hashes.get(path)
        if before != after:
            items = users(head.portfolio, path) or users(base.portfolio, path)
            changes.append(AttachmentChange(items, path, before, after))
    return tuple(changes)


def verdicts(result: MetricResult) -> tuple[Message, ...]:
    """Each scope's verdict, named by its scope when the metric is split (as on the site)."""
    if len(result.scopes) == 1:
        return (result.scopes[0].verdict.because,)
    return tuple(
        Message.of(Code.SCOPED, scope=s.scope, verdict=s.verdict.because) for s in result.scopes
    )


def _metrics(base: Assessment, head: Assessment) -> tuple[MetricChange, ...]:
    changes = []
    for mid, new in head.metrics.items():
        old = base.metrics.get(mid)
        if old is None:
            continue
        if old.status != new.status or verdicts(old) != verdicts(new):
            changes.append(
                MetricChange(
                    mid, new.metric.title, old.status, new.status, verdicts(old), verdicts(new)
                )
            )
    return tuple(sorted(changes, key=lambda c: (not c.worse, c.id)))


def _signal_keys(result: MetricResult) -> dict[tuple[str, str, str, m.Month], Any]:
    return {
        (scope.scope, s.rule, s.direction, s.start): s
        for scope in result.scopes
        for phase in scope.phases
        for s in phase.signals
    }


def _signals(base: Assessment, head: Assessment) -> tuple[SignalChange, ...]:
    changes = []
    for mid in sorted(base.metrics.keys() & head.metrics.keys()):
        old, new = _signal_keys(base.metrics[mid]), _signal_keys(head.metrics[mid])
        for keys, table, change in (
            (new.keys() - old.keys(), new, Appearance.NEW),
            (old.keys() - new.keys(), old, Appearance.CLEARED),
        ):
            for key in keys:
                s = table[key]
                changes.append(
                    SignalChange(
                        mid, key[0], s.rule, s.direction, s.start, s.end, s.favourable, change
                    )
                )
    return tuple(sorted(changes, key=lambda c: (c.metric, c.scope, c.start, c.rule, c.change)))


def _targets(base: m.Portfolio, head: m.Portfolio) -> tuple[TargetChange, ...]:
    return tuple(
        TargetChange(mid, base.metrics[mid].targets, head.metrics[mid].targets)
        for mid in sorted(base.metrics.keys() & head.metrics.keys())
        if plain(base.metrics[mid].targets) != plain(head.metrics[mid].targets)
    )


def _data(base: m.Portfolio, head: m.Portfolio) -> tuple[DataChange, ...]:
    changes = []
    for mid in sorted(base.metrics.keys() & head.metrics.keys()):
        old = {(o.scope, o.period): o for o in base.metrics[mid].observations}
        new = {(o.scope, o.period): o for o in head.metrics[mid].observations}
        rewritten = tuple(
            Rewrite(key[0], key[1], old[key].value, new[key].value, old[key].n, new[key].n)
            for key in sorted(old.keys() & new.keys(), key=lambda k: (k[1], k[0]))
            if (old[key].value, old[key].n) != (new[key].value, new[key].n)
        )

        def by_month(keys: set[tuple[str, m.Month]]) -> tuple[tuple[str, m.Month], ...]:
            return tuple(sorted(keys, key=lambda k: (k[1], k[0])))

        added, removed = by_month(new.keys() - old.keys()), by_month(old.keys() - new.keys())
        if added or removed or rewritten:
            changes.append(DataChange(mid, head.metrics[mid].decimals, added, removed, rewritten))
    return tuple(changes)


def _verified(finding: m.Finding, as_of: dt.date) -> bool:
    check = finding.effectiveness
    return check is not None and check.verified is not None and check.verified <= as_of


def _events(old: FindingState | None, new: FindingState | None) -> list[FindingEvent]:
    if old is None:
        return [FindingEvent.OPENED]
    if new is None:
        return [FindingEvent.REMOVED]
    events = []
    if new in CLOSED and old not in CLOSED:
        events.append(FindingEvent.CLOSED)
    if old in CLOSED and new not in CLOSED:
        events.append(FindingEvent.REOPENED)
    if new is FindingState.OVERDUE and old is not FindingState.OVERDUE:
        events.append(FindingEvent.OVERDUE)
    return events


def _findings(base: Assessment, head: Assessment) -> tuple[FindingChange, ...]:
    changes = []
    for fid in sorted(base.findings.keys() | head.findings.keys()):
        old, new = base.findings.get(fid), head.findings.get(fid)
        events = _events(old.state if old else None, new.state if new else None)
        if (
            old is not None
            and new is not None
            and _verified(new.finding, head.as_of)
            and not _verified(old.finding, base.as_of)
        ):
            events.append(FindingEvent.VERIFIED)
        if events or (old and new and old.state != new.state):
            finding = (new or old).finding  # type: ignore[union-attr]
            changes.append(
                FindingChange(
                    fid,
                    finding.title,
                    finding.grade,
                    old.state if old else None,
                    new.state if new else None,
                    tuple(events),
                    new.because if new else None,
                )
            )
    return tuple(changes)


def counted_evidence(assessment: Assessment, requirement: str) -> tuple[str, ...]:
    """The evidence items that count for a requirement: issued by the as-of date."""
    return tuple(
        e
        for e in assessment.portfolio.evidence_for(requirement)
        if e in assessment.evidence and assessment.evidence[e].state != FreshnessState.NOT_ISSUED
    )


def _coverage(base: Assessment, head: Assessment) -> tuple[CoverageChange, ...]:
    changes = []
    for rid, status in head.requirements.items():
        if rid not in base.requirements:
            continue
        before, after = counted_evidence(base, rid), counted_evidence(head, rid)
        if bool(before) != bool(after):
            changes.append(CoverageChange(rid, status.requirement.title, before, after))
    return tuple(sorted(changes, key=lambda c: (not c.lost, c.id)))


def _suspects(base: m.Portfolio, head: m.Portfolio) -> tuple[SuspectLink, ...]:
    """The links suspect on the head side that were not on the base side: a reviewed link
    (reviews.yaml) one of whose ends the change rewrote (`review.suspect`)."""
    before = {(s.owner, s.target) for s in find_suspects(base)}
    return tuple(
        SuspectLink(
            s.owner_kind, s.owner, s.target_kind, s.target, Changed(s.changed), s.by, s.date
        )
        for s in find_suspects(head)
        if (s.owner, s.target) not in before
    )
