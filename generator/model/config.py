"""`portfolio.yaml` as records: who is certified (`Config`), against which standards, over
which scope, and by which rules (`Evaluation`, `Privacy`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from generator.diagnostics import Span


@dataclass(frozen=True)
class Person:
    id: str
    role: str
    name: str | None
    span: Span


@dataclass(frozen=True)
class Category:
    id: str
    title: str
    description: str | None
    points: float | None
    span: Span


@dataclass(frozen=True)
class Clause:
    """A clause of a standard as `portfolio.yaml` lists it: its ID and a short title in our
    own words (never the standard's text)."""

    id: str
    title: str | None
    span: Span


@dataclass(frozen=True)
class Standard:
    id: str
    name: str
    release: str | None
    edition: str | None
    primary: bool
    clauses: tuple[Clause, ...] = ()  # `clauses`: when listed, every clause of the release


@dataclass(frozen=True)
class Contract:
    """A supplier's contract (`scope.suppliers[].contract`): its first and last day."""

    start: dt.date | None
    end: dt.date | None
    reference: str | None = None


@dataclass(frozen=True)
class ScopeUnit:
    """The entity, a site, a program or a supplier: what evidence, metrics and findings can be
    scoped to. A supplier has its `services`, the `programs` it runs and its `contract`."""

    id: str
    name: str
    kind: str  # "entity" | "site" | "program" | "supplier"
    site: str | None = None
    client: str | None = None
    channels: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    contract: Contract | None = None


@dataclass(frozen=True)
class Evaluation:
    window_months: int = 12
    min_months_met: int = 10
    trend_test: str = "mann-kendall"
    trend_alpha: float = 0.05
    min_trend_points: int = 6
    baseline_months: int = 12
    freshness_warning_days: int = 60


@dataclass(frozen=True)
class AllowEntry:
    """One reviewed exception to the personal-data and secret guard (`privacy.allow`)."""

    reason: str
    value: str | None = None
    pattern: str | None = None
    kind: str | None = None
    path: str | None = None  # a glob over paths relative to the portfolio folder
    span: Span = field(default_factory=lambda: Span(""))


@dataclass(frozen=True)
class Privacy:
    """`privacy`: the phone regions the guard reads numbers for, and its allowlist."""

    regions: tuple[str, ...] = ("GB", "US")
    allow: tuple[AllowEntry, ...] = ()


@dataclass(frozen=True)
class Config:
    """portfolio.yaml."""

    id: str
    title: str
    organisation: str
    organisation_short: str | None
    organisation_type: str | None
    organisation_description: str | None
    as_of: dt.date
    language: str
    standards: tuple[Standard, ...]
    scope: tuple[ScopeUnit, ...]
    channels: tuple[tuple[str, str], ...]
    functions: tuple[str, ...]
    suppliers: tuple[tuple[str, str], ...]
    exclusions: tuple[tuple[str, str], ...]  # scope.exclusions: what is out, and why
    descriptions: dict[str, str]  # of the organisation's units, standards, suppliers by ID
    categories: tuple[Category, ...]
    evaluation: Evaluation
    retention_classes: tuple[tuple[str, str], ...]
    people: tuple[Person, ...]
    span: Span
    privacy: Privacy = field(default_factory=Privacy)
    attachment_mb: int = 50  # `limits.attachment_mb`: the largest attachment, in MiB
