"""Audit-readiness checks on an assessment: the things an auditor asks about first.

Each is a warning at the file and line a person would edit: a missed month in the evaluation
window with no linked action, a control-chart signal nobody explained, a low sample nobody
explained, an overdue action or effectiveness check, a finding closed without an effectiveness
check, a target with no rationale, a metric without a comparator or with stale data, evidence
past its review date or expired. Each comes as a `Readiness`: the diagnostic the command line
prints, and the same warning and hint as messages the site shows in the portfolio's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator import model as m
from generator.assess.messages import Code, Message
from generator.assess.states import FindingState, FreshnessState
from generator.assess.status import Assessment
from generator.diagnostics import Diagnostic, Level, Span


@dataclass(frozen=True)
class Readiness:
    """One readiness warning: the diagnostic (English) and what it says, as messages."""

    diagnostic: Diagnostic
    message: Message
    hint: Message


def _warn(span: object, code: str, message: Message, hint: Message) -> Readiness:
    assert isinstance(span, Span)  # rows keep their span as an opaque object
    diagnostic = Diagnostic(span, Level.WARNING, code, message.text, hint.text)
    return Readiness(diagnostic, message, hint)


def _say(code: Code, **params: object) -> Message:
    return Message.of(code, **params)


def _metric_lint(assessment: Assessment) -> list[Readiness]:
    out: list[Readiness] = []
    as_of = m.Month.of(assessment.as_of)
    for result in assessment.metrics.values():
        metric = result.metric
        has_finding = bool(result.findings)
        if not metric.comparators:
            said = _say(Code.NO_COMPARATOR, metric=metric.id)
            out.append(_warn(metric.span, "W709", said, _say(Code.DO_COMPARATOR)))
        for target in metric.targets:
            if not target.rationale:
                said = _say(Code.NO_RATIONALE, metric=metric.id, start=target.start)
                out.append(_warn(target.span, "W706", said, _say(Code.DO_RATIONALE)))
        for scope in result.scopes:
            # a split metric's warnings name the scope; an annotation explains its own scope
            name = f"{metric.id} {scope.scope}" if len(result.scopes) > 1 else metric.id
            annotated = {a.period for a in metric.annotations_for(scope.scope)}
            rows = {row.period: row for row in scope.months}
            window = scope.verdict.window
            for row in scope.months:
                in_window = window is not None and row.period >= window[0]
                unexplained = row.period not in annotated and not has_finding
                if in_window and row.met is False and unexplained:
                    said = _say(Code.MISS_NO_ACTION, name=name, month=row.period)
                    out.append(_warn(row.span, "W701", said, _say(Code.DO_ANNOTATE_MISS)))
                if row.low_n and row.period not in annotated:
                    said = _say(Code.LOW_N, name=name, month=row.period, n=row.n)
                    out.append(_warn(row.span, "W703", said, _say(Code.DO_ANNOTATE_SAMPLE)))
            for phase in scope.phases:
                for signal in phase.signals:
                    if signal.annotated:
                        continue
                    said = _say(
                        Code.SIGNAL_UNEXPLAINED,
                        name=name,
                        rule=signal.rule,
                        direction=signal.direction,
                        start=signal.start,
                        end=signal.end,
                    )
                    at = rows[signal.reached].span
                    out.append(_warn(at, "W702", said, _say(Code.DO_ANNOTATE_SIGNAL)))
            if scope.months and scope.months[-1].period.index < as_of.index - 1:
                said = _say(
                    Code.DATA_ENDS,
                    name=name,
                    month=scope.months[-1].period,
                    as_of=assessment.as_of,
                )
                out.append(_warn(metric.span, "W708", said, _say(Code.DO_ADD_MONTHS)))
    return out


def _finding_lint(assessment: Assessment) -> list[Readiness]:
    out: list[Readiness] = []
    for status in assessment.findings.values():
        finding = status.finding
        for index in status.overdue_actions:
            action = finding.actions[index]
            said = _say(Code.ACTION_LATE, finding=finding.id, due=action.due)
            out.append(_warn(action.span, "W704", said, _say(Code.DO_ACTION_DATE)))
        if status.state == FindingState.CLOSED:
            said = _say(Code.CLOSED_UNCHECKED, finding=finding.id)
            out.append(_warn(finding.span, "W705", said, _say(Code.DO_VERIFY_OR_REOPEN)))
        elif status.state == FindingState.OVERDUE and finding.implemented is not None:
            said = _say(Code.CHECK_LATE, finding=finding.id, due=status.due)
            out.append(_warn(finding.span, "W707", said, _say(Code.DO_VERIFY)))
    return out


def _evidence_lint(assessment: Assessment) -> list[Readiness]:
    return [
        _warn(
            fresh.evidence.span,
            "W710",
            _say(
                Code.EVIDENCE_STALE,
                evidence=fresh.evidence.id,
                state=fresh.state,
                because=fresh.because,
            ),
            _say(Code.DO_REVIEW),
        )
        for fresh in assessment.evidence.values()
        if fresh.state in (FreshnessState.OVERDUE, FreshnessState.EXPIRED)
    ]


def readiness(assessment: Assessment) -> list[Readiness]:
    """Every audit-readiness warning with its messages, sorted by file and line."""
    found = _metric_lint(assessment) + _finding_lint(assessment) + _evidence_lint(assessment)
    return sorted(found, key=lambda r: r.diagnostic.sort_key())


def lint_assessment(assessment: Assessment) -> list[Diagnostic]:
    """Every audit-readiness warning as a diagnostic, sorted by file and line."""
    return [r.diagnostic for r in readiness(assessment)]
