"""The diff as a stable JSON document (`certfolio diff --format json`), `schema_version` 1.

Top-level keys, always present and in this order: `schema_version`, `valid` (false when a
side did not validate; then `diagnostics` says why and the change keys are null), `base`,
`head`, `as_of`, `summary`, `readiness`, `requirements`, `records`, `evidence`, `metrics`,
`findings`, `coverage`, `suspects`, `diagnostics`. Reasons and verdicts are the assessment's
`{code, params, text}`; SHA-256 digests are given in full; dates are `YYYY-MM-DD`, months
`YYYY-MM`. Any change to the shape raises the version (docs/review.md).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from generator import model as m
from generator.assess.status import Reason
from generator.review.changes import Counts, Diff, SideInfo
from generator.review.sides import Side

SCHEMA_VERSION = 1
CHANGE_KEYS = (
    "summary",
    "readiness",
    "requirements",
    "records",
    "evidence",
    "metrics",
    "findings",
    "coverage",
    "suspects",
)


def _side(info: SideInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "label": info.label,
        "kind": info.kind,
        "revision": info.revision,
        "as_of": info.as_of.isoformat(),
    }


def _counts(counts: Counts) -> dict[str, Any]:
    return {
        "requirements": {state.value: n for state, n in counts.statuses},
        "percent_met": round(counts.percent_met, 6),
        "metrics": {state.value: n for state, n in counts.metrics},
    }


def _reason(reason: Reason) -> dict[str, Any]:
    return {
        "effect": reason.effect,
        "kind": reason.kind,
        "ref": reason.ref,
        **reason.message.as_dict(),
    }


def _target(t: m.Target) -> dict[str, Any]:
    return {
        "from": str(t.start),
        "to": str(t.end) if t.end else None,
        "value": t.value,
        "low": t.low,
        "high": t.high,
        "scope": t.scope,
    }


def _summary(diff: Diff) -> dict[str, Any]:
    return {
        "empty": diff.empty,
        "regression": diff.regression,
        "suspect": bool(diff.suspects),
        "requirements_worse": sum(c.worse for c in diff.requirements),
        "requirements_better": sum(not c.worse for c in diff.requirements),
        "metrics_worse": sum(c.worse for c in diff.metrics),
        "metrics_better": sum(c.before != c.after and not c.worse for c in diff.metrics),
        "coverage_lost": sum(c.lost for c in diff.coverage),
        "rewritten_months": diff.rewrites,
        "suspect_links": len(diff.suspects),
    }


def _changes(diff: Diff) -> dict[str, Any]:
    return {
        "summary": _summary(diff),
        "readiness": {"before": _counts(diff.counts_before), "after": _counts(diff.counts_after)},
        "requirements": [
            {
                "id": c.id,
                "title": c.title,
                "category": c.category,
                "category_title": c.category_title,
                "before": c.before,
                "after": c.after,
                "worse": c.worse,
                "reasons_before": [_reason(r) for r in c.reasons_before],
                "reasons_after": [_reason(r) for r in c.reasons_after],
            }
            for c in diff.requirements
        ],
        "records": [
            {
                "kind": r.kind,
                "id": r.id,
                "title": r.title,
                "change": r.change,
                "fields": list(r.fields),
            }
            for r in diff.records
        ],
        "evidence": {
            "freshness": [
                {
                    "id": c.id,
                    "title": c.title,
                    "before": c.before,
                    "after": c.after,
                    "worse": c.worse,
                    "because": c.because.as_dict(),
                }
                for c in diff.freshness
            ],
            "attachments": [
                {"path": c.path, "evidence": list(c.evidence), "before": c.before, "after": c.after}
                for c in diff.attachments
            ],
        },
        "metrics": {
            "verdicts": [
                {
                    "id": c.id,
                    "title": c.title,
                    "before": c.before,
                    "after": c.after,
                    "worse": c.worse,
                    "verdicts_before": [v.as_dict() for v in c.verdicts_before],
                    "verdicts_after": [v.as_dict() for v in c.verdicts_after],
                }
                for c in diff.metrics
            ],
            "signals": [
                {
                    "metric": s.metric,
                    "scope": s.scope,
                    "rule": s.rule,
                    "direction": s.direction,
                    "start": str(s.start),
                    "end": str(s.end),
                    "favourable": s.favourable,
                    "change": s.change,
                }
                for s in diff.signals
            ],
            "targets": [
                {
                    "metric": t.metric,
                    "before": [_target(x) for x in t.before],
                    "after": [_target(x) for x in t.after],
                }
                for t in diff.targets
            ],
            "data": [
                {
                    "metric": d.metric,
                    "added": [{"scope": s, "period": str(p)} for s, p in d.added],
                    "removed": [{"scope": s, "period": str(p)} for s, p in d.removed],
                    "rewritten": [
                        {
                            "scope": r.scope,
                            "period": str(r.period),
                            "value_before": r.value_before,
                            "value_after": r.value_after,
                            "n_before": r.n_before,
                            "n_after": r.n_after,
                        }
                        for r in d.rewritten
                    ],
                }
                for d in diff.data
            ],
        },
        "findings": [
            {
                "id": c.id,
                "title": c.title,
                "grade": c.grade,
                "before": c.before,
                "after": c.after,
                "events": list(c.events),
                "worse": c.worse,
                "because": c.because.as_dict() if c.because else None,
            }
            for c in diff.findings
        ],
        "coverage": [
            {
                "id": c.id,
                "title": c.title,
                "before": list(c.before),
                "after": list(c.after),
                "lost": c.lost,
            }
            for c in diff.coverage
        ],
        "suspects": [
            {
                "owner": {"kind": s.owner_kind, "id": s.owner_id},
                "target": {"kind": s.target_kind, "id": s.target_id},
                "changed": s.changed,
                "reviewed_by": s.reviewed_by,
                "reviewed_on": s.reviewed_on.isoformat(),
            }
            for s in diff.suspects
        ],
    }


def diff_document(diff: Diff) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "valid": True,
        "base": _side(diff.base),
        "head": _side(diff.head),
        "as_of": diff.as_of.isoformat(),
        **_changes(diff),
        "diagnostics": [],
    }


def failure_document(sides: Sequence[Side]) -> dict[str, Any]:
    """The document when a side has errors: its diagnostics, each naming the side."""
    info = {
        side.source.name: {
            "name": side.source.name,
            "label": side.source.label,
            "kind": side.source.kind,
            "revision": side.source.revision,
            "as_of": side.portfolio.config.as_of.isoformat() if side.portfolio else None,
        }
        for side in sides
    }
    return {
        "schema_version": SCHEMA_VERSION,
        "valid": False,
        "base": info["base"],
        "head": info["head"],
        "as_of": None,
        **{key: None for key in CHANGE_KEYS},
        "diagnostics": [
            {"side": side.source.name, **d.as_dict()}
            for side in sides
            if side.portfolio is None
            for d in side.report.sorted()
        ],
    }


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
