"""Status as of a date: evidence freshness, findings, requirement status with reasons, readiness.

Everything is a pure function of the validated portfolio and the `as_of` date (the portfolio's
own, or one given on the command line); dates after `as_of` are treated as not yet happened.

Requirement status. Each requirement collects *reasons*, each naming its cause and its effect:
- `fail`: an open major finding; on a results requirement (`results: true`), a supporting metric
  that is not met and has no open finding (no action) or no data; every evidence item expired;
- `gap`: an open minor finding (open until verified closed, unless `cleared` for this
  requirement); a supporting metric not met while a finding on it is open; an evidence item
  expired or overdue for review;
- `info`: the workings that did not change the status (metrics met or improving, findings
  closed, observations, evidence due for review soon).
Status: no evidence item → "no evidence"; any fail → "not met"; any gap → "partly met"; else
"met": partly met is a gap with an open action (docs/assessment.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator import model as m
from generator.assess.messages import Code, Message
from generator.assess.metrics import MetricResult, assess_metric
from generator.assess.states import (
    FINDING_STATES,
    FRESHNESS_STATES,
    METRIC_STATUSES,
    REQUIREMENT_STATUSES,
    Effect,
    FindingState,
    FreshnessState,
    MetricState,
    RequirementState,
)
from generator.model import Grade


@dataclass(frozen=True)
class Freshness:
    evidence: m.Evidence
    state: FreshnessState
    days: int | None  # to the review or expiry date that decides the state; < 0 when past
    because: Message


@dataclass(frozen=True)
class FindingStatus:
    finding: m.Finding
    state: FindingState
    due: dt.date | None  # the date that matters now: action due or effectiveness check due
    days_to_due: int | None
    overdue_actions: tuple[int, ...]
    because: Message

    @property
    def active(self) -> bool:
        """Still a gap: not closed, and not an observation."""
        closed = (FindingState.CLOSED, FindingState.VERIFIED_CLOSED)
        return self.state not in closed and self.finding.grade != Grade.OBSERVATION


@dataclass(frozen=True)
class Reason:
    effect: Effect
    kind: str  # "evidence" | "finding" | "metric"
    ref: str
    message: Message

    @property
    def text(self) -> str:
        return self.message.text


@dataclass(frozen=True)
class RequirementStatus:
    requirement: m.Requirement
    status: RequirementState
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Tally:
    """Counts by state, in a fixed order, with the share of the first state."""

    counts: tuple[tuple[str, int], ...]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)

    def __getitem__(self, state: str) -> int:
        return dict(self.counts)[state]

    def percent(self, *states: str) -> float:
        return 100.0 * sum(self[s] for s in states) / self.total if self.total else 0.0


@dataclass(frozen=True)
class Assessment:
    portfolio: m.Portfolio
    as_of: dt.date
    metrics: dict[str, MetricResult]
    evidence: dict[str, Freshness]
    findings: dict[str, FindingStatus]
    requirements: dict[str, RequirementStatus]
    categories: tuple[tuple[m.Category, Tally], ...]

    def tally(self, kind: str) -> Tally:
        """Counts of "requirements", "metrics", "evidence" or "findings" by state, in order."""
        table: dict[str, tuple[tuple[str, ...], list[str]]] = {
            "requirements": (REQUIREMENT_STATUSES, [r.status for r in self.requirements.values()]),
            "metrics": (METRIC_STATUSES, [r.status for r in self.metrics.values()]),
            "evidence": (FRESHNESS_STATES, [f.state for f in self.evidence.values()]),
            "findings": (FINDING_STATES, [f.state for f in self.findings.values()]),
        }
        states, values = table[kind]
        return Tally(tuple((s, values.count(s)) for s in states))


def assess_freshness(item: m.Evidence, as_of: dt.date, warning_days: int) -> Freshness:
    """How fresh an evidence item is on `as_of`. An item dated later did not exist yet, unless
    its `history` names an earlier version: "not yet issued" items count as no evidence."""
    if item.date > as_of:
        earlier = [v for v in item.history if v.date <= as_of]
        if not earlier:
            because = Message.of(Code.NOT_ISSUED, date=item.date)
            return Freshness(item, FreshnessState.NOT_ISSUED, None, because)
        version = max(earlier, key=lambda v: v.date)
        because = Message.of(
            Code.EARLIER_VERSION, version=version.version or "–", date=version.date
        )
        return Freshness(item, FreshnessState.CURRENT, None, because)
    if item.valid_until is not None and item.valid_until < as_of:
        days = (item.valid_until - as_of).days
        because = Message.of(Code.EXPIRED, date=item.valid_until)
        return Freshness(item, FreshnessState.EXPIRED, days, because)
    if item.review_by is not None and item.review_by < as_of:
        days = (item.review_by - as_of).days
        because = Message.of(Code.REVIEW_OVERDUE, date=item.review_by)
        return Freshness(item, FreshnessState.OVERDUE, days, because)
    upcoming = [
        (d, what)
        for d, what in ((item.review_by, Code.REVIEW_DUE), (item.valid_until, Code.EXPIRES))
        if d is not None
    ]
    if not upcoming:
        return Freshness(item, FreshnessState.CURRENT, None, Message.of(Code.NO_DATES))
    date, what = min(upcoming)
    days = (date - as_of).days
    state = FreshnessState.DUE_SOON if days <= warning_days else FreshnessState.CURRENT
    return Freshness(item, state, days, Message.of(what, date=date, days=days))


def _known(date: dt.date | None, as_of: dt.date) -> dt.date | None:
    """A date that has happened by `as_of`; later dates are treated as not yet known."""
    return date if date is not None and date <= as_of else None


def assess_finding(finding: m.Finding, as_of: dt.date) -> FindingStatus:
    closed, implemented = _known(finding.closed, as_of), _known(finding.implemented, as_of)
    effectiveness = finding.effectiveness
    verified = _known(effectiveness.verified, as_of) if effectiveness else None
    overdue_actions = tuple(
        i for i, a in enumerate(finding.actions) if _known(a.done, as_of) is None and a.due < as_of
    )
    if closed is not None:
        if verified is not None or finding.grade == Grade.OBSERVATION:
            return FindingStatus(
                finding,
                FindingState.VERIFIED_CLOSED,
                None,
                None,
                overdue_actions,
                Message.of(Code.VERIFIED, closed=closed, verified=verified)
                if verified
                else Message.of(Code.CLOSED, closed=closed),
            )
        return FindingStatus(
            finding,
            FindingState.CLOSED,
            None,
            None,
            overdue_actions,
            Message.of(Code.CLOSED_UNVERIFIED, closed=closed),
        )
    if implemented is not None:
        due = effectiveness.due if effectiveness else None
        days = (due - as_of).days if due else None
        if verified is None and due is not None and due < as_of:
            return FindingStatus(
                finding,
                FindingState.OVERDUE,
                due,
                days,
                overdue_actions,
                Message.of(Code.CHECK_OVERDUE, implemented=implemented, due=due),
            )
        check = (
            Message.of(Code.CHECK_DUE, implemented=implemented, due=due)
            if due
            else Message.of(Code.NOT_CHECKED, implemented=implemented)
        )
        return FindingStatus(
            finding,
            FindingState.IMPLEMENTED,
            due,
            days,
            overdue_actions,
            check,
        )
    days = (finding.due - as_of).days
    if finding.due < as_of:
        return FindingStatus(
            finding,
            FindingState.OVERDUE,
            finding.due,
            days,
            overdue_actions,
            Message.of(Code.ACTION_OVERDUE, due=finding.due),
        )
    return FindingStatus(
        finding,
        FindingState.OPEN,
        finding.due,
        days,
        overdue_actions,
        Message.of(Code.ACTION_DUE, due=finding.due, days=days),
    )


def _finding_reasons(
    requirement: m.Requirement, statuses: list[FindingStatus], as_of: dt.date
) -> list[Reason]:
    reasons = []
    for status in statuses:
        finding = status.finding
        cleared = next(
            (c for c in finding.cleared if c.requirement == requirement.id and c.date <= as_of),
            None,
        )
        about = {"finding": finding.id, "grade": finding.grade}
        if finding.grade == Grade.OBSERVATION:
            said = Message.of(
                Code.OBSERVATION, finding=finding.id, state=status.state, because=status.because
            )
            reasons.append(Reason(Effect.INFO, "finding", finding.id, said))
        elif cleared is not None and status.active:
            code = Code.FINDING_CLEARED_NOTE if cleared.note else Code.FINDING_CLEARED
            extra = {"note": cleared.note} if cleared.note else {}
            said = Message.of(code, **about, requirement=requirement.id, date=cleared.date, **extra)
            reasons.append(Reason(Effect.INFO, "finding", finding.id, said))
        else:
            said = Message.of(Code.FINDING, **about, state=status.state, because=status.because)
            effect = Effect.INFO
            if status.active:
                effect = Effect.FAIL if finding.grade == Grade.MAJOR else Effect.GAP
            reasons.append(Reason(effect, "finding", finding.id, said))
    return reasons


def _metric_reasons(result: MetricResult, active: set[str]) -> Reason:
    metric = result.metric
    verdicts = tuple(
        Message.of(Code.SCOPED, scope=s.scope, verdict=s.verdict.because)
        if len(result.scopes) > 1
        else s.verdict.because
        for s in result.scopes
    )
    about = {"metric": metric.id, "state": result.status, "verdicts": verdicts}
    if result.status in (MetricState.MET, MetricState.IMPROVING):
        return Reason(Effect.INFO, "metric", metric.id, Message.of(Code.METRIC, **about))
    open_findings = tuple(f for f in result.findings if f in active)
    if open_findings and result.status != MetricState.NO_DATA:
        said = Message.of(Code.METRIC_ACTION_OPEN, **about, findings=open_findings)
        return Reason(Effect.GAP, "metric", metric.id, said)
    return Reason(Effect.FAIL, "metric", metric.id, Message.of(Code.METRIC_NO_ACTION, **about))


def _evidence_reasons(items: list[Freshness]) -> list[Reason]:
    reasons = []
    for fresh in items:
        effect = {
            FreshnessState.EXPIRED: Effect.GAP,
            FreshnessState.OVERDUE: Effect.GAP,
            FreshnessState.DUE_SOON: Effect.INFO,
        }.get(fresh.state)
        if effect:
            said = Message.of(
                Code.EVIDENCE, evidence=fresh.evidence.id, state=fresh.state, because=fresh.because
            )
            reasons.append(Reason(effect, "evidence", fresh.evidence.id, said))
    if items and all(f.state == FreshnessState.EXPIRED for f in items):
        said = Message.of(Code.ALL_EXPIRED)
        reasons.append(Reason(Effect.FAIL, "evidence", items[0].evidence.id, said))
    return reasons


def assess_requirement(
    requirement: m.Requirement,
    portfolio: m.Portfolio,
    evidence: dict[str, Freshness],
    findings: dict[str, FindingStatus],
    metrics: dict[str, MetricResult],
    as_of: dt.date,
) -> RequirementStatus:
    items = [
        evidence[e]
        for e in portfolio.evidence_for(requirement.id)
        if e in evidence and evidence[e].state != FreshnessState.NOT_ISSUED
    ]
    reasons = _evidence_reasons(items)
    reasons += _finding_reasons(
        requirement,
        [findings[f] for f in portfolio.findings_for(requirement.id) if f in findings],
        as_of,
    )
    if requirement.results:
        active = {f for f, status in findings.items() if status.active}
        reasons += [
            _metric_reasons(metrics[mid], active) for mid in portfolio.metrics_for(requirement.id)
        ]
    effects = {r.effect for r in reasons}
    if not items:
        status = RequirementState.NO_EVIDENCE
    elif Effect.FAIL in effects:
        status = RequirementState.NOT_MET
    elif Effect.GAP in effects:
        status = RequirementState.PARTLY_MET
    else:
        status = RequirementState.MET
    order = list(Effect)
    return RequirementStatus(
        requirement, status, tuple(sorted(reasons, key=lambda r: (order.index(r.effect), r.ref)))
    )


def assess_portfolio(portfolio: m.Portfolio, as_of: dt.date | None = None) -> Assessment:
    """The whole assessment; `as_of` defaults to the portfolio's own date."""
    config = portfolio.config
    day = as_of or config.as_of
    rules = config.evaluation
    raised = {fid for fid, f in portfolio.findings.items() if f.raised <= day}
    metrics = {
        mid: assess_metric(
            metric,
            rules,
            day,
            tuple(f for f in portfolio.findings_for_metric(mid) if f in raised),
        )
        for mid, metric in portfolio.metrics.items()
    }
    evidence = {
        eid: assess_freshness(item, day, rules.freshness_warning_days)
        for eid, item in portfolio.evidence.items()
    }
    findings = {
        fid: assess_finding(f, day) for fid, f in portfolio.findings.items() if f.raised <= day
    }
    requirements = {
        rid: assess_requirement(r, portfolio, evidence, findings, metrics, day)
        for rid, r in portfolio.requirements.items()
    }
    categories = tuple(
        (
            category,
            Tally(
                tuple(
                    (
                        s,
                        sum(
                            1
                            for r in requirements.values()
                            if r.requirement.category == category.id and r.status == s
                        ),
                    )
                    for s in REQUIREMENT_STATUSES
                )
            ),
        )
        for category in config.categories
    )
    return Assessment(portfolio, day, metrics, evidence, findings, requirements, categories)
