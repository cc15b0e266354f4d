"""Fingerprints: a short, stable hash of what a record *says*, for reviewing links.

A link (EV-002 supports LP-01) is reviewed against both sides as they read at the time; when
either side's fingerprint changes, the link is suspect until someone reviews it again
(`generator.portfolio.links`). So a fingerprint covers the fields that carry meaning and
leaves out what changes routinely or says nothing about the link:

- requirement: `title`, `wording`, `results`. Not its category, points, owner, mappings or
  notes: moving or re-mapping a requirement does not change what evidence must prove.
- evidence item: `title`, `type`, `version`, `date`, `scope`, `description`, `location`,
  `links` (URL and title) and the SHA-256 of every attachment's bytes (sorted, so renaming,
  moving or reordering files changes nothing). Not `supports` (the links themselves: adding
  one must not make the others suspect), nor the owner, `cadence`, `period`, `retention`,
  `review_by`, `valid_until`, `history` and `notes`, which are administration or commentary
  and change routinely; a new version shows in `version`, `date` or the attachments.
- metric: its definition, `title`, `description`, `formula`, `unit`, `direction`, `scope`,
  `sample`, `targets` (periods, values, bands and scopes) and `definitions` (how a scope
  measures it differently: scope, formula and note). Not the monthly data (it changes every
  month), nor `class`, `decimals`, `source`, the owner, comparators, annotations, target
  rationales, the CSV dialect and notes, which describe or display rather than define.
- finding: `title`, `description`, `grade` and `scope` (the sites, programs or suppliers it
  is about). Not its dates, actions or effectiveness check, which change as it is worked on.

Fields added to a fingerprint later (`definitions`, a finding's `scope`) count only when a
record has them, so the fingerprints of records without them, and the reviews made against
those, stay as they were.

Text is compared by its words: runs of whitespace count as one space and Unicode is NFC, so
re-wrapping a paragraph is no change. Numbers are compared as numbers (`77` = `77.0`). The
hash is the first 12 hex digits of SHA-256 over canonical JSON (sorted keys, no spaces, UTF-8),
the same on every machine, run and dict order.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator import model as m

LENGTH = 12  # hex digits kept: 48 bits, ample for telling versions of one record apart


def fingerprint(payload: dict[str, Any]) -> str:
    """The first 12 hex digits of SHA-256 over `payload` as canonical JSON."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:LENGTH]


def _text(value: str | None) -> str | None:
    return None if value is None else " ".join(unicodedata.normalize("NFC", value).split())


def _number(value: float | None) -> str | None:
    return None if value is None else repr(float(value))


def requirement_fingerprint(requirement: m.Requirement) -> str:
    return fingerprint(
        {
            "kind": "requirement",
            "title": _text(requirement.title),
            "wording": _text(requirement.wording),
            "results": requirement.results,
        }
    )


def attachment_sha256(root: Path, attachment: m.Attachment) -> str:
    with (root / attachment.path).open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def evidence_fingerprint(item: m.Evidence, root: Path) -> str:
    """`root`: the portfolio folder, which attachment paths are relative to."""
    return fingerprint(
        {
            "kind": "evidence",
            "title": _text(item.title),
            "type": item.type,
            "version": _text(item.version),
            "date": item.date.isoformat(),
            "scope": list(item.scope),
            "description": _text(item.description),
            "location": _text(item.location),
            "links": [[link.url, _text(link.title)] for link in item.links],
            "attachments": sorted(attachment_sha256(root, a) for a in item.attachments),
        }
    )


def metric_fingerprint(metric: m.Metric) -> str:
    sample = metric.sample
    return fingerprint(
        {
            "kind": "metric",
            "title": _text(metric.title),
            "description": _text(metric.description),
            "formula": [[part, _text(text)] for part, text in metric.formula],
            "unit": metric.unit,
            "direction": metric.direction,
            "scope": list(metric.scope),
            "sample": None
            if sample is None
            else [_text(sample.unit), sample.planned_n, sample.statistic],
            "targets": [
                [
                    str(t.start),
                    None if t.end is None else str(t.end),
                    _number(t.value),
                    _number(t.low),
                    _number(t.high),
                    t.scope,
                ]
                for t in metric.targets
            ],
            **_given(
                "definitions",
                [
                    [d.scope, [[part, _text(text)] for part, text in d.formula], _text(d.note)]
                    for d in metric.definitions
                ],
            ),
        }
    )


def finding_fingerprint(finding: m.Finding) -> str:
    return fingerprint(
        {
            "kind": "finding",
            "title": _text(finding.title),
            "description": _text(finding.description),
            "grade": finding.grade.value,
            **_given("scope", list(finding.scope)),
        }
    )


def _given(key: str, value: list[Any]) -> dict[str, Any]:
    """`{key: value}`, or nothing when `value` is empty (see the module's docstring)."""
    return {key: value} if value else {}


class Fingerprints:
    """Every record's fingerprint by ID, computed once when first asked for."""

    def __init__(self, portfolio: m.Portfolio) -> None:
        self.portfolio = portfolio
        self._done: dict[str, str] = {}

    def __call__(self, record_id: str) -> str:
        """The fingerprint of the record `record_id`; KeyError when there is no such record."""
        if record_id not in self._done:
            self._done[record_id] = self._compute(record_id)
        return self._done[record_id]

    def _compute(self, record_id: str) -> str:
        p = self.portfolio
        if record_id in p.evidence:
            return evidence_fingerprint(p.evidence[record_id], p.root)
        makers: tuple[tuple[dict[str, Any], Callable[[Any], str]], ...] = (
            (p.requirements, requirement_fingerprint),
            (p.metrics, metric_fingerprint),
            (p.findings, finding_fingerprint),
        )
        for records, make in makers:
            if record_id in records:
                return make(records[record_id])
        raise KeyError(record_id)
