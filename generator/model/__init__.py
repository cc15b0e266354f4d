"""The domain model: frozen records built by `validate`, each keeping the `Span` it came from.

Links are typed once, on the side that owns them (evidence and metrics name the requirements
they support; a finding names requirements, evidence and metrics); `Portfolio` computes every
backlink. The settings of `portfolio.yaml` (`Config` and its parts) are in `model.config`;
every name is importable from here."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from generator.diagnostics import Span
from generator.model.config import (
    AllowEntry,
    Category,
    Clause,
    Config,
    Contract,
    Evaluation,
    Person,
    Privacy,
    ScopeUnit,
    Standard,
)


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month; `index` counts months since year 0 so months subtract cleanly."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """`YYYY-MM` (or the month of `YYYY-MM-DD`); ValueError for anything else."""
        parts = text.split("-")
        if len(parts) not in (2, 3) or len(parts[0]) != 4 or len(parts[1]) != 2:
            raise ValueError(f"not a month: {text!r}")
        year, month = int(parts[0]), int(parts[1])
        if not 1 <= month <= 12:
            raise ValueError(f"month must be 01 to 12, got {parts[1]}")
        if len(parts) == 3:
            dt.date(year, month, int(parts[2]))
        return cls(year, month)

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def from_index(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    @property
    def index(self) -> int:
        return self.year * 12 + self.month - 1

    def __add__(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Mapping:
    standard: str
    clause: str
    title: str | None
    note: str | None


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    category: str
    wording: str
    points: float | None
    owner: str | None
    mappings: tuple[Mapping, ...]
    notes: str | None
    span: Span
    results: bool = False  # judged also by the results of the metrics that support it


@dataclass(frozen=True)
class Attachment:
    path: str  # relative to the portfolio folder, '/'-separated, validated
    title: str | None
    span: Span


@dataclass(frozen=True)
class Link:
    url: str
    title: str | None


@dataclass(frozen=True)
class Version:
    """An earlier version of an evidence item (`history`), issued on `date`."""

    version: str | None
    date: dt.date
    note: str | None
    span: Span


@dataclass(frozen=True)
class Evidence:
    id: str
    title: str
    type: str
    owner: str
    version: str | None
    date: dt.date
    cadence: str | None
    period: tuple[str, str | None] | None
    scope: tuple[str, ...]
    retention: str
    review_by: dt.date | None
    valid_until: dt.date | None
    location: str | None
    attachments: tuple[Attachment, ...]
    links: tuple[Link, ...]
    supports: tuple[str, ...]
    description: str | None
    notes: str | None
    span: Span
    history: tuple[Version, ...] = ()  # earlier versions, oldest first, all before `date`


@dataclass(frozen=True)
class Target:
    start: Month
    end: Month | None
    value: float | None
    low: float | None
    high: float | None
    rationale: str | None
    span: Span
    scope: str | None = None  # one of the metric's scopes; None: every scope

    def covers(self, month: Month) -> bool:
        return self.start <= month and (self.end is None or month <= self.end)


@dataclass(frozen=True)
class Comparator:
    label: str
    value: float
    source: str
    date: str
    kind: str | None
    scope: str | None = None  # one of the metric's scopes; None: every scope


@dataclass(frozen=True)
class Annotation:
    period: Month
    kind: str  # "event" | "signal" | "phase"
    text: str
    finding: str | None
    evidence: str | None
    span: Span
    scope: str | None = None  # one of the metric's scopes; None: every scope


@dataclass(frozen=True)
class Observation:
    period: Month
    value: float
    scope: str
    n: int | None
    promoters: int | None
    detractors: int | None
    note: str | None
    span: Span


@dataclass(frozen=True)
class Sample:
    unit: str | None
    planned_n: int
    statistic: str  # "proportion" | "nps" | "mean"


@dataclass(frozen=True)
class Definition:
    """How one scope measures a metric when it differs from its `formula` (`definitions`)."""

    scope: str
    formula: tuple[tuple[str, str], ...]  # the keys it gives, as Metric.formula
    note: str | None
    span: Span


@dataclass(frozen=True)
class Metric:
    id: str
    title: str
    description: str | None
    metric_class: str | None
    formula: tuple[tuple[str, str], ...]
    unit: str
    decimals: int
    direction: str  # "higher" | "lower" | "band"
    scope: tuple[str, ...]
    source: str | None
    owner: str
    sampled: bool
    sample: Sample | None
    targets: tuple[Target, ...]
    comparators: tuple[Comparator, ...]
    supports: tuple[str, ...]
    annotations: tuple[Annotation, ...]
    data_path: str
    observations: tuple[Observation, ...]
    notes: str | None
    span: Span
    definitions: tuple[Definition, ...] = ()  # scopes that measure it their own way

    def formula_for(self, scope: str) -> tuple[tuple[str, str], ...]:
        """The formula `scope` is measured by: the metric's, with what its `definitions`
        entry gives instead."""
        own = next((d for d in self.definitions if d.scope == scope), None)
        return tuple(sorted({**dict(self.formula), **dict(own.formula if own else ())}.items()))

    def target_for(self, month: Month, scope: str | None = None) -> Target | None:
        """The target in force in `month` for `scope`: one naming the scope wins over one that
        names none. Without `scope`, a metric's only scope is meant; for a metric reported
        per site or program, only targets that name no scope are considered."""
        if scope is None and len(self.scope) == 1:
            scope = self.scope[0]
        covering = [t for t in self.targets if t.covers(month)]
        scoped = next((t for t in covering if scope is not None and t.scope == scope), None)
        return scoped or next((t for t in covering if t.scope is None), None)

    def annotations_for(self, scope: str) -> tuple[Annotation, ...]:
        """The annotations that apply to `scope`: those naming it and those naming none."""
        return tuple(a for a in self.annotations if a.scope in (None, scope))

    def comparators_for(self, scope: str) -> tuple[Comparator, ...]:
        """The comparators that apply to `scope`: those naming it and those naming none."""
        return tuple(c for c in self.comparators if c.scope in (None, scope))


@dataclass(frozen=True)
class Action:
    description: str
    owner: str
    due: dt.date
    done: dt.date | None
    span: Span


@dataclass(frozen=True)
class Clearance:
    """A requirement a still-open finding no longer holds against, from `date`."""

    requirement: str
    date: dt.date
    note: str | None
    span: Span


@dataclass(frozen=True)
class Effectiveness:
    criterion: str
    due: dt.date | None
    verified: dt.date | None
    result: str | None


class Grade(StrEnum):
    """A finding's grade: a major or minor nonconformity, or an observation."""

    MAJOR = "major"
    MINOR = "minor"
    OBSERVATION = "observation"


@dataclass(frozen=True)
class Finding:
    id: str
    title: str
    grade: Grade
    source: str
    audit: str | None
    raised: dt.date
    requirements: tuple[str, ...]
    evidence: tuple[str, ...]
    metrics: tuple[str, ...]
    description: str
    root_cause: str | None
    correction: str | None
    actions: tuple[Action, ...]
    owner: str
    due: dt.date
    implemented: dt.date | None
    effectiveness: Effectiveness | None
    closed: dt.date | None
    notes: str | None
    span: Span
    cleared: tuple[Clearance, ...] = ()
    scope: tuple[str, ...] = ()  # the sites, programs or suppliers it is about


@dataclass(frozen=True)
class Review:
    """An entry of reviews.yaml: on `date`, `by` checked that `owner` still proves `target`."""

    owner: str  # the side that lists the link: an evidence item, metric or finding
    target: str
    owner_fingerprint: str  # what each side said at the review (`portfolio.fingerprint`)
    target_fingerprint: str
    by: str
    date: dt.date
    span: Span  # the entry's key in reviews.yaml


@dataclass(frozen=True)
class AuditRequest:
    """A request of the auditor (requests.yaml): `text` about `requirement`, due on `due`,
    answered by the evidence items in `evidence` (on `answered`, when the date is given)."""

    id: str
    text: str
    requirement: str | None
    requested: dt.date | None
    due: dt.date | None
    evidence: tuple[str, ...]
    answered: dt.date | None
    notes: str | None
    span: Span


def _index(pairs: list[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = defaultdict(list)
    for key, value in pairs:
        table[key].append(value)
    return {key: tuple(sorted(set(values))) for key, values in table.items()}


@dataclass(frozen=True)
class Portfolio:
    """A whole validated portfolio; records are kept sorted by ID."""

    root: Path
    config: Config
    requirements: dict[str, Requirement]
    evidence: dict[str, Evidence]
    metrics: dict[str, Metric]
    findings: dict[str, Finding]
    files: tuple[str, ...] = ()
    reviews: tuple[Review, ...] = ()  # reviews.yaml in file order; none without the file
    requests: tuple[AuditRequest, ...] = ()  # requests.yaml in file order; none without it
    _backlinks: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict, repr=False)
    _notes: dict[str, list[tuple[Metric, Annotation]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        links = {
            "evidence_of": _index([(r, e.id) for e in self.evidence.values() for r in e.supports]),
            "metrics_of": _index([(r, m.id) for m in self.metrics.values() for r in m.supports]),
            "findings_of": _index(
                [(r, f.id) for f in self.findings.values() for r in f.requirements]
            ),
            "findings_of_evidence": _index(
                [(e, f.id) for f in self.findings.values() for e in f.evidence]
            ),
            "findings_of_metric": _index(
                [(m, f.id) for f in self.findings.values() for m in f.metrics]
                + [
                    (m.id, a.finding)
                    for m in self.metrics.values()
                    for a in m.annotations
                    if a.finding
                ]
            ),
        }
        self._backlinks.update(links)
        for metric in self.metrics.values():
            for note in metric.annotations:
                if note.evidence:
                    self._notes.setdefault(note.evidence, []).append((metric, note))

    def evidence_for(self, requirement: str) -> tuple[str, ...]:
        return self._backlinks["evidence_of"].get(requirement, ())

    def metrics_for(self, requirement: str) -> tuple[str, ...]:
        return self._backlinks["metrics_of"].get(requirement, ())

    def findings_for(self, requirement: str) -> tuple[str, ...]:
        return self._backlinks["findings_of"].get(requirement, ())

    def findings_for_evidence(self, evidence: str) -> tuple[str, ...]:
        return self._backlinks["findings_of_evidence"].get(evidence, ())

    def findings_for_metric(self, metric: str) -> tuple[str, ...]:
        return self._backlinks["findings_of_metric"].get(metric, ())

    def notes_on_evidence(self, evidence: str) -> tuple[tuple[Metric, Annotation], ...]:
        """The metric annotations that cite the evidence item, by metric, in file order."""
        return tuple(self._notes.get(evidence, ()))


__all__ = [
    "Action",
    "AllowEntry",
    "Annotation",
    "Attachment",
    "AuditRequest",
    "Category",
    "Clause",
    "Clearance",
    "Comparator",
    "Config",
    "Contract",
    "Definition",
    "Effectiveness",
    "Evaluation",
    "Evidence",
    "Finding",
    "Grade",
    "Link",
    "Mapping",
    "Metric",
    "Month",
    "Observation",
    "Person",
    "Portfolio",
    "Privacy",
    "Requirement",
    "Review",
    "Sample",
    "ScopeUnit",
    "Standard",
    "Target",
    "Version",
]
