"""The assessment as a readable text summary (`certfolio assess`)."""

from __future__ import annotations

from generator.assess.states import (
    Effect,
    FindingState,
    FreshnessState,
    MetricState,
    RequirementState,
)
from generator.assess.status import Assessment, Tally
from generator.diagnostics import Diagnostic, safe_lines, visible


def _counts(tally: Tally) -> str:
    return ", ".join(f"{n} {state}" for state, n in tally.counts if n) or "none"


def summary_text(assessment: Assessment, lint: list[Diagnostic]) -> str:
    config = assessment.portfolio.config
    requirements = assessment.tally("requirements")
    metrics = assessment.tally("metrics")
    lines = [
        f"{config.title} — as of {assessment.as_of}",
        "",
        f"Requirements: {_counts(requirements)} ({requirements.percent('met'):.0f} % met)",
    ]
    width = max((len(f"{c.id} {c.title}") for c, _ in assessment.categories), default=0)
    for category, tally in assessment.categories:
        label = f"{category.id} {category.title}".ljust(width)
        lines.append(
            f"  {label}  {tally['met']}/{tally.total} met"
            + "".join(f", {n} {s}" for s, n in tally.counts[1:] if n)
        )
    lines += [
        f"Metrics: {_counts(metrics)} ({metrics.percent('met', 'improving'):.0f} % met or "
        "improving)",
        f"Findings: {_counts(assessment.tally('findings'))}",
        f"Evidence: {_counts(assessment.tally('evidence'))}",
    ]
    gaps = [r for r in assessment.requirements.values() if r.status != RequirementState.MET]
    if gaps:
        lines += ["", "Requirements not fully met:"]
        for status in gaps:
            lines.append(f"  {status.requirement.id} {status.requirement.title}: {status.status}")
            lines += [f"    - {r.text}" for r in status.reasons if r.effect != Effect.INFO]
    watched = [r for r in assessment.metrics.values() if r.status != MetricState.MET]
    if watched:
        lines += ["", "Metrics not met outright:"]
        for result in watched:
            for scope in result.scopes:
                where = f" ({scope.scope})" if len(result.scopes) > 1 else ""
                lines.append(
                    f"  {result.metric.id}{where} {result.metric.title}: "
                    f"{scope.verdict.status}, {scope.verdict.because}"
                )
    closed = (FindingState.CLOSED, FindingState.VERIFIED_CLOSED)
    active = [s for s in assessment.findings.values() if s.state not in closed]
    if active:
        lines += ["", "Open findings:"]
        lines += [f"  {s.finding.id} ({s.finding.grade}) {s.state}: {s.because}" for s in active]
    due = [f for f in assessment.evidence.values() if f.state != FreshnessState.CURRENT]
    if due:
        lines += ["", "Evidence to review:"]
        lines += [f"  {f.evidence.id} {f.state}: {f.because}" for f in due]
    suggestions = [
        (r.metric.id, s)
        for r in assessment.metrics.values()
        for scope in r.scopes
        for s in scope.suggestions
    ]
    if suggestions:
        lines += ["", "Suggestions:"] + [f"  {mid}: {text}" for mid, text in suggestions]
    if lint:
        lines += ["", f"Readiness warnings ({len(lint)}):"]
        for d in lint:
            lines.append(f"{d.span}: {d.level.value}: {d.message} [{d.code}]")
            if d.hint:
                lines.append(f"  hint: {d.hint}")
    # user text (titles, reasons) may hold line breaks or bidi characters: one visible line each
    return safe_lines("\n".join(visible(line) for line in lines)) + "\n"
