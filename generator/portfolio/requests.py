"""The auditor's own request list: `requests.yaml` beside portfolio.yaml, read into records.

    audit: Stage 2 certification audit
    requests:
      - id: RQ-01
        text: Show the complaint log for December and two closed complaints.
        requirement: PR-05
        requested: 2025-01-06
        due: 2025-01-20
        evidence: [EV-014]

The schema has checked the form; here the dates become dates (E400, E107, in order: E401),
every requirement and evidence item named must exist (E201, through the validator's own
reference check), IDs are unique (E200), and a request marked `answered` lists what answered
it (E106). Where each request stands as of a date is the assessment's (`assess.requests`).
"""

from __future__ import annotations

from collections.abc import Callable

from generator import model as m
from generator.diagnostics import Report, Span
from generator.portfolio.records import Fields
from generator.portfolio.yamlparse import Document

REQUESTS_FILE = "requests.yaml"

#: The validator's reference check: (kind, value, span, field name) → reports when unknown.
Check = Callable[[str, str | None, Span, str], None]


def read_requests(doc: Document, check: Check, report: Report) -> tuple[m.AuditRequest, ...]:
    """The requests of `doc` in file order; problems are reported, never raised."""
    f = Fields(doc, report)
    found: list[m.AuditRequest] = []
    first: dict[str, Span] = {}
    for i, item in enumerate(f.get("requests") or []):
        span = f.span("requests", i, "id")
        if item["id"] in first:
            report.error(span, "E200", f"duplicate request ID '{item['id']}'")
            report.note(first[item["id"]], "E200", "first defined here")
        first.setdefault(item["id"], span)
        where = ("requests", i)
        check(
            "requirement",
            item.get("requirement"),
            f.span(*where, "requirement"),
            "requests.requirement",
        )
        for j, ident in enumerate(item.get("evidence") or []):
            check("evidence", ident, f.span(*where, "evidence", j), "requests.evidence")
        requested, due = f.date(*where, "requested"), f.date(*where, "due")
        answered = f.date(*where, "answered")
        f.order((*where, "requested"), (*where, "due"), requested, due)
        f.order((*where, "requested"), (*where, "answered"), requested, answered)
        if answered is not None and not item.get("evidence"):
            report.error(
                f.span(*where, "answered"),
                "E106",
                f"request '{item['id']}' is 'answered' but lists no 'evidence'",
                "list the evidence items that answered it, or remove 'answered'",
            )
        found.append(
            m.AuditRequest(
                id=item["id"],
                text=item["text"],
                requirement=item.get("requirement"),
                requested=requested,
                due=due,
                evidence=tuple(item.get("evidence") or ()),
                answered=answered,
                notes=item.get("notes"),
                span=f.span(*where),
            )
        )
    return tuple(found)
