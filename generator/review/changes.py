"""What changed between two versions of a portfolio, as data: the `Diff` and its parts.

Frozen records only; nothing here builds a sentence. Reasons and verdicts are the assessment's
own `Message`s (their `text` is English; a report in another language renders the codes), and
states are the assessment's `StrEnum`s, whose order (best first) says what got worse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from enum import StrEnum

from generator import model as m
from generator.assess.messages import Message
from generator.assess.states import (
    FRESHNESS_STATES,
    METRIC_STATUSES,
    REQUIREMENT_STATUSES,
    FindingState,
    FreshnessState,
    MetricState,
    RequirementState,
)
from generator.assess.status import Reason

FAIL_ON = ("regression", "suspect", "any")
#: Finding states best first (`FINDING_STATES` is display order).
FINDING_ORDER = (
    FindingState.VERIFIED_CLOSED,
    FindingState.CLOSED,
    FindingState.IMPLEMENTED,
    FindingState.OPEN,
    FindingState.OVERDUE,
)


def worse(order: tuple[str, ...], before: str | None, after: str | None) -> bool:
    """True when `after` comes later than `before` in `order` (best first)."""
    if before is None or after is None:
        return False
    return order.index(after) > order.index(before)


@dataclass(frozen=True)
class SideInfo:
    """One side as the report names it."""

    name: str  # "base" | "head"
    label: str  # "base (a1b2c3d)"
    kind: str  # "revision" | "working tree" | "folder"
    revision: str | None  # the full commit ID of a revision
    as_of: dt.date  # the side's own as_of (both sides are assessed at `Diff.as_of`)


@dataclass(frozen=True)
class Counts:
    """Requirement counts per status (in `REQUIREMENT_STATUSES` order) and the share met."""

    statuses: tuple[tuple[RequirementState, int], ...]
    percent_met: float
    metrics: tuple[tuple[MetricState, int], ...]


class Change(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class RecordChange:
    """A requirement, evidence item, metric or finding added, removed, or with changed fields
    (metric data rows are `DataChange`s, not a changed field)."""

    kind: str  # "requirement" | "evidence" | "metric" | "finding"
    id: str
    title: str
    change: Change
    fields: tuple[str, ...] = ()  # the fields that differ, for CHANGED


@dataclass(frozen=True)
class StatusChange:
    """A requirement whose status changed; the reasons only one side gives."""

    id: str
    title: str
    category: str
    category_title: str
    before: RequirementState
    after: RequirementState
    reasons_before: tuple[Reason, ...]  # given on the base side only
    reasons_after: tuple[Reason, ...]  # given on the head side only

    @property
    def worse(self) -> bool:
        return worse(REQUIREMENT_STATUSES, self.before, self.after)


@dataclass(frozen=True)
class FreshnessChange:
    """An evidence item on both sides whose freshness state changed."""

    id: str
    title: str
    before: FreshnessState
    after: FreshnessState
    because: Message  # the head side's reason

    @property
    def worse(self) -> bool:
        """Newly stale, expiring or not yet issued."""
        return worse(FRESHNESS_STATES, self.before, self.after)


@dataclass(frozen=True)
class AttachmentChange:
    """An attachment file whose bytes differ, or that only one side references."""

    evidence: tuple[str, ...]  # the items referencing it (head side, else base side)
    path: str  # relative to the portfolio folder
    before: str | None  # SHA-256, None when the base side does not reference it
    after: str | None


@dataclass(frozen=True)
class MetricChange:
    """A metric on both sides whose status or verdict changed."""

    id: str
    title: str
    before: MetricState
    after: MetricState
    verdicts_before: tuple[Message, ...]  # one per scope (scope-prefixed when split)
    verdicts_after: tuple[Message, ...]

    @property
    def worse(self) -> bool:
        return worse(METRIC_STATUSES, self.before, self.after)


class Appearance(StrEnum):
    NEW = "new"
    CLEARED = "cleared"


@dataclass(frozen=True)
class SignalChange:
    """A control-chart signal only one side shows (keyed by scope, rule, direction, start)."""

    metric: str
    scope: str
    rule: str  # "beyond-limits" | "run" | "trend"
    direction: str  # "above" | "below" | "rising" | "falling"
    start: m.Month
    end: m.Month
    favourable: bool
    change: Appearance


@dataclass(frozen=True)
class TargetChange:
    """A metric whose targets differ; each side's whole list."""

    metric: str
    before: tuple[m.Target, ...]
    after: tuple[m.Target, ...]


@dataclass(frozen=True)
class Rewrite:
    """A month on both sides whose value or sample size changed: history rewritten."""

    scope: str
    period: m.Month
    value_before: float
    value_after: float
    n_before: int | None
    n_after: int | None


@dataclass(frozen=True)
class DataChange:
    """A metric's data rows added, removed or rewritten (by scope and month)."""

    metric: str
    decimals: int  # the head side's, for showing values as the metric does
    added: tuple[tuple[str, m.Month], ...]
    removed: tuple[tuple[str, m.Month], ...]
    rewritten: tuple[Rewrite, ...]


class FindingEvent(StrEnum):
    OPENED = "opened"  # new on the head side (raised by the as-of date)
    REMOVED = "removed"  # gone from the head side
    CLOSED = "closed"
    REOPENED = "reopened"
    OVERDUE = "overdue"  # became overdue
    VERIFIED = "verified"  # effectiveness verified


@dataclass(frozen=True)
class FindingChange:
    """A finding that appeared, disappeared or changed state."""

    id: str
    title: str
    grade: m.Grade
    before: FindingState | None  # None: not on that side (or raised after the as-of date)
    after: FindingState | None
    events: tuple[FindingEvent, ...]
    because: Message | None  # the head side's reason, None when removed

    @property
    def worse(self) -> bool:
        """Opened (and not already closed), or further from closed than before."""
        if self.before is None:
            return self.after is not None and self.after not in FINDING_ORDER[:2]
        return worse(FINDING_ORDER, self.before, self.after)


@dataclass(frozen=True)
class CoverageChange:
    """A requirement that gained its first evidence or lost its last (issued by the as-of
    date); the items each side counts."""

    id: str
    title: str
    before: tuple[str, ...]
    after: tuple[str, ...]

    @property
    def lost(self) -> bool:
        return bool(self.before) and not self.after


class Changed(StrEnum):
    OWNER = "owner"
    TARGET = "target"
    BOTH = "both"


@dataclass(frozen=True)
class SuspectLink:
    """A reviewed link the change makes suspect: one of its ends says something else now
    than when `reviewed_by` reviewed it on `reviewed_on` (reviews.yaml)."""

    owner_kind: str  # "evidence" | "metric" | "finding"
    owner_id: str
    target_kind: str  # "requirement" | "evidence" | "metric"
    target_id: str
    changed: Changed  # which end's fingerprint differs from the review's
    reviewed_by: str
    reviewed_on: dt.date


@dataclass(frozen=True)
class Diff:
    """Everything that changed from `base` to `head`, both assessed as of `as_of`."""

    base: SideInfo
    head: SideInfo
    as_of: dt.date
    counts_before: Counts
    counts_after: Counts
    requirements: tuple[StatusChange, ...]  # worse first, then by category and ID
    records: tuple[RecordChange, ...]  # by kind (requirement, evidence, metric, finding), ID
    freshness: tuple[FreshnessChange, ...]  # worse first
    attachments: tuple[AttachmentChange, ...]
    metrics: tuple[MetricChange, ...]  # worse first
    signals: tuple[SignalChange, ...]
    targets: tuple[TargetChange, ...]
    data: tuple[DataChange, ...]
    findings: tuple[FindingChange, ...]
    coverage: tuple[CoverageChange, ...]  # lost first
    suspects: tuple[SuspectLink, ...]

    @property
    def regression(self) -> bool:
        """A requirement's or a metric's status got worse."""
        return any(c.worse for c in self.requirements) or any(c.worse for c in self.metrics)

    @property
    def empty(self) -> bool:
        """Nothing changed that the report lists."""
        skip = {"base", "head", "as_of", "counts_before", "counts_after"}
        return not any(getattr(self, f.name) for f in fields(self) if f.name not in skip)

    def fails(self, condition: str | None) -> bool:
        """Whether `--fail-on condition` holds: "regression" (a requirement's or metric's
        status got worse), "suspect" (a link became suspect), "any" (anything changed)."""
        checks = {
            "regression": self.regression,
            "suspect": bool(self.suspects),
            "any": not self.empty,
        }
        return checks[condition] if condition else False

    @property
    def rewrites(self) -> int:
        """Months whose value changed: rewritten history."""
        return sum(len(d.rewritten) for d in self.data)
