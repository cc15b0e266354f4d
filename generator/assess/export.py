"""The assessment as a stable JSON document (`certfolio assess --format json`).

The document is what the site, the pull-request review and other tools read. Its shape is
described in docs/assessment.md; any change to it raises `SCHEMA_VERSION`. Numbers are
rounded to 6 decimals so that the text does not depend on the last bits of floating-point
arithmetic.
"""

from __future__ import annotations

from typing import Any

from generator import jsontext
from generator.assess import metrics as mt
from generator.assess.stats import Limits
from generator.assess.status import Assessment, Tally
from generator.diagnostics import Diagnostic

SCHEMA_VERSION = 2  # 2: Wilson interval as lower/upper, no margin; missing months; tie correction


def _num(value: float | None) -> float | None:
    return None if value is None else round(float(value), 6)


def _tally(tally: Tally) -> dict[str, Any]:
    return {"total": tally.total, **dict(tally.counts)}


def _limits(limits: Limits | None) -> dict[str, float | None] | None:
    if limits is None:
        return None
    return {
        "centre": _num(limits.centre),
        "lower": _num(limits.lower),
        "upper": _num(limits.upper),
        "mr_bar": _num(limits.mr_bar),
        "mr_upper": _num(limits.mr_upper),
    }


def _signal(signal: mt.SignalResult) -> dict[str, Any]:
    return {
        "rule": signal.rule,
        "direction": signal.direction,
        "start": str(signal.start),
        "end": str(signal.end),
        "reached": str(signal.reached),
        "points": signal.points,
        "favourable": signal.favourable,
        "annotated": signal.annotated,
    }


def _phase(phase: mt.PhaseResult) -> dict[str, Any]:
    shift = phase.shift
    return {
        "index": phase.index,
        "start": str(phase.start),
        "end": str(phase.end),
        "baseline_end": str(phase.baseline_end),
        "reason": phase.reason.as_dict(),
        "limits": _limits(phase.limits),
        "signals": [_signal(s) for s in phase.signals],
        "shift": None
        if shift is None
        else {
            "beyond_previous_limits": shift.beyond_previous,
            "favourable": shift.favourable,
            "run_of_8_reached": str(shift.run_reached) if shift.run_reached else None,
        },
    }


def _month(row: mt.MonthResult) -> dict[str, Any]:
    return {
        "period": str(row.period),
        "value": _num(row.value),
        "target": _num(row.target),
        "low": _num(row.low),
        "high": _num(row.high),
        "met": row.met,
        "n": row.n,
        "interval": (
            {"lower": _num(row.interval[0]), "upper": _num(row.interval[1])}
            if row.interval
            else None
        ),
        "low_n": row.low_n,
        "phase": row.phase,
    }


def _scope(scope: mt.ScopeResult) -> dict[str, Any]:
    verdict, trend = scope.verdict, scope.trend
    return {
        "scope": scope.scope,
        "status": verdict.status,
        "verdict": {
            "status": verdict.status,
            "rule": verdict.rule.as_dict(),
            "because": verdict.because.as_dict(),
            "window": [str(p) for p in verdict.window] if verdict.window else None,
            "months": verdict.months,
            "met_months": verdict.met_months,
            "required": verdict.required,
            "missing": [str(p) for p in verdict.missing],
        },
        "trend": None
        if trend is None
        else {
            "test": "mann-kendall (continuity and tie correction)",
            "points": trend.points,
            "s": trend.s,
            "p": _num(trend.p),
            "sen_slope": _num(trend.slope),
            "tendency": trend.tendency,
            "favourable": trend.favourable,
        },
        "misses_by_year": {str(y): n for y, n in sorted(scope.misses_by_year.items())},
        "months_by_year": {str(y): n for y, n in sorted(scope.months_by_year.items())},
        "means_by_year": {str(y): _num(v) for y, v in sorted(scope.means_by_year.items())},
        "low_n": [str(r.period) for r in scope.months if r.low_n],
        "phases": [_phase(p) for p in scope.phases],
        "suggestions": [x.as_dict() for x in scope.suggestions],
        "months": [_month(r) for r in scope.months],
    }


def _metric(result: mt.MetricResult) -> dict[str, Any]:
    metric = result.metric
    return {
        "id": metric.id,
        "title": metric.title,
        "unit": metric.unit,
        "decimals": metric.decimals,
        "direction": metric.direction,
        "status": result.status,
        "findings": list(result.findings),
        "targets": [
            {
                "from": str(t.start),
                "to": str(t.end) if t.end else None,
                "value": _num(t.value),
                "low": _num(t.low),
                "high": _num(t.high),
                "rationale": t.rationale,
            }
            for t in metric.targets
        ],
        "comparators": [
            {
                "label": c.label,
                "value": _num(c.value),
                "source": c.source,
                "date": c.date,
                "kind": c.kind,
            }
            for c in metric.comparators
        ],
        "scopes": [_scope(s) for s in result.scopes],
    }


def assessment_document(assessment: Assessment, lint: list[Diagnostic]) -> dict[str, Any]:
    portfolio = assessment.portfolio
    config = portfolio.config
    rules = config.evaluation
    return {
        "schema_version": SCHEMA_VERSION,
        "portfolio": {"id": config.id, "title": config.title, "organisation": config.organisation},
        "as_of": assessment.as_of.isoformat(),
        "evaluation": {
            "window_months": rules.window_months,
            "min_months_met": rules.min_months_met,
            "trend_test": rules.trend_test,
            "trend_alpha": rules.trend_alpha,
            "min_trend_points": rules.min_trend_points,
            "baseline_months": rules.baseline_months,
            "freshness_warning_days": rules.freshness_warning_days,
        },
        "readiness": {
            "requirements": _tally(assessment.tally("requirements")),
            "percent_met": _num(assessment.tally("requirements").percent("met")),
            "categories": [
                {"id": c.id, "title": c.title, **_tally(t), "percent_met": _num(t.percent("met"))}
                for c, t in assessment.categories
            ],
            "metrics": _tally(assessment.tally("metrics")),
            "percent_metrics_met_or_improving": _num(
                assessment.tally("metrics").percent("met", "improving")
            ),
            "findings": _tally(assessment.tally("findings")),
            "evidence": _tally(assessment.tally("evidence")),
        },
        "requirements": [
            {
                "id": r.requirement.id,
                "title": r.requirement.title,
                "category": r.requirement.category,
                "status": r.status,
                "results": r.requirement.results,
                "evidence": list(portfolio.evidence_for(r.requirement.id)),
                "metrics": list(portfolio.metrics_for(r.requirement.id)),
                "findings": list(portfolio.findings_for(r.requirement.id)),
                "reasons": [
                    {"effect": x.effect, "kind": x.kind, "ref": x.ref, **x.message.as_dict()}
                    for x in r.reasons
                ],
            }
            for r in assessment.requirements.values()
        ],
        "metrics": [_metric(r) for r in assessment.metrics.values()],
        "evidence": [
            {
                "id": f.evidence.id,
                "title": f.evidence.title,
                "state": f.state,
                "days": f.days,
                "because": f.because.as_dict(),
                "review_by": f.evidence.review_by.isoformat() if f.evidence.review_by else None,
                "valid_until": (
                    f.evidence.valid_until.isoformat() if f.evidence.valid_until else None
                ),
            }
            for f in assessment.evidence.values()
        ],
        "findings": [
            {
                "id": s.finding.id,
                "title": s.finding.title,
                "grade": s.finding.grade,
                "state": s.state,
                "due": s.due.isoformat() if s.due else None,
                "days_to_due": s.days_to_due,
                "because": s.because.as_dict(),
                "overdue_actions": list(s.overdue_actions),
                "requirements": list(s.finding.requirements),
                "cleared": [c.requirement for c in s.finding.cleared if c.date <= assessment.as_of],
            }
            for s in assessment.findings.values()
        ],
        "lint": [d.as_dict() for d in lint],
    }


def assessment_json(assessment: Assessment, lint: list[Diagnostic]) -> str:
    return jsontext.dumps(assessment_document(assessment, lint)) + "\n"  # indent=2, as text
