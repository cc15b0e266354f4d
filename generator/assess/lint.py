"""Audit-readiness checks on an assessment: the things an auditor asks about first.

Each is a warning at the file and line a person would edit: a missed month in the evaluation
window with no linked action, a control-chart signal nobody explained, a low sample nobody
explained, an overdue action or effectiveness check, a finding closed without an effectiveness
check, a target with no rationale, a metric without a comparator or with stale data, evidence
past its review date or expired.
"""

from __future__ import annotations

from generator import model as m
from generator.assess.states import FindingState, FreshnessState
from generator.assess.status import Assessment
from generator.diagnostics import Diagnostic, Level, Span


def _warn(span: object, code: str, message: str, hint: str) -> Diagnostic:
    assert isinstance(span, Span)
    return Diagnostic(span, Level.WARNING, code, message, hint)


def _metric_lint(assessment: Assessment) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    as_of = m.Month.of(assessment.as_of)
    for result in assessment.metrics.values():
        metric = result.metric
        has_finding = bool(result.findings)
        if not metric.comparators:
            out.append(
                _warn(
                    metric.span,
                    "W709",
                    f"metric {metric.id} has no comparator",
                    "add a benchmark, peer, prior-year or budget comparison",
                )
            )
        for target in metric.targets:
            if not target.rationale:
                out.append(
                    _warn(
                        target.span,
                        "W706",
                        f"target of {metric.id} from {target.start} has no rationale",
                        "say why: contract, customer research, benchmark, capability",
                    )
                )
        for scope in result.scopes:
            # a split metric's warnings name the scope; an annotation explains its own scope
            name = f"{metric.id} {scope.scope}" if len(result.scopes) > 1 else metric.id
            annotated = {a.period for a in metric.annotations_for(scope.scope)}
            rows = {row.period: row for row in scope.months}
            window = scope.verdict.window
            for row in scope.months:
                if (
                    window
                    and row.period >= window[0]
                    and row.met is False
                    and row.period not in annotated
                    and not has_finding
                ):
                    out.append(
                        _warn(
                            row.span,
                            "W701",
                            f"{name} missed its target in {row.period} with no linked action",
                            "annotate the month or link a finding",
                        )
                    )
                if row.low_n and row.period not in annotated:
                    out.append(
                        _warn(
                            row.span,
                            "W703",
                            f"{name} sample in {row.period} is below plan (n = {row.n})",
                            "annotate why the sample was small",
                        )
                    )
            for phase in scope.phases:
                for signal in phase.signals:
                    if not signal.annotated:
                        out.append(
                            _warn(
                                rows[signal.reached].span,
                                "W702",
                                f"{name}: {signal.rule} signal ({signal.direction}, "
                                f"{signal.start} to {signal.end}) has no annotation",
                                "annotate the cause, the action, or 'investigated, no cause found'",
                            )
                        )
            if scope.months and scope.months[-1].period.index < as_of.index - 1:
                out.append(
                    _warn(
                        metric.span,
                        "W708",
                        f"{name} data ends in {scope.months[-1].period}, before "
                        f"the last full month before {assessment.as_of}",
                        "add the latest months",
                    )
                )
    return out


def _finding_lint(assessment: Assessment) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for status in assessment.findings.values():
        finding = status.finding
        for index in status.overdue_actions:
            action = finding.actions[index]
            out.append(
                _warn(
                    action.span,
                    "W704",
                    f"action of {finding.id} was due on {action.due} and is not done",
                    "record the date it was done, or agree a new due date",
                )
            )
        if status.state == FindingState.CLOSED:
            out.append(
                _warn(
                    finding.span,
                    "W705",
                    f"{finding.id} was closed without an effectiveness check",
                    "record effectiveness.verified, or reopen the finding",
                )
            )
        elif status.state == FindingState.OVERDUE and finding.implemented is not None:
            out.append(
                _warn(
                    finding.span,
                    "W707",
                    f"effectiveness check of {finding.id} was due on {status.due}",
                    "verify effectiveness and record the date",
                )
            )
    return out


def _evidence_lint(assessment: Assessment) -> list[Diagnostic]:
    return [
        _warn(
            fresh.evidence.span,
            "W710",
            f"evidence {fresh.evidence.id} is {fresh.state}: {fresh.because}",
            "review the item and record the new version and dates",
        )
        for fresh in assessment.evidence.values()
        if fresh.state in (FreshnessState.OVERDUE, FreshnessState.EXPIRED)
    ]


def lint_assessment(assessment: Assessment) -> list[Diagnostic]:
    """Every audit-readiness warning, sorted by file and line."""
    found = _metric_lint(assessment) + _finding_lint(assessment) + _evidence_lint(assessment)
    return sorted(found, key=Diagnostic.sort_key)
