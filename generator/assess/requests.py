"""Where each of the auditor's requests (`requests.yaml`) stands as of the assessment date.

- answered: the request lists evidence, at least one item of it was issued by the date (its
  `date` or a `history` entry on or before it), and its `answered` day, when given, has come;
- overdue: not answered, and its `due` day is before the date;
- open: everything else (no due day, or due on or after the date).

The date is the portfolio's `as_of` (or `--as-of`), never the wall clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator import model as m
from generator.assess.states import RequestState


@dataclass(frozen=True)
class RequestStatus:
    request: m.AuditRequest
    state: RequestState
    days_to_due: int | None  # < 0 when past due; None without a due date


def _issued(item: m.Evidence, as_of: dt.date) -> bool:
    return item.date <= as_of or any(v.date <= as_of for v in item.history)


def request_state(
    request: m.AuditRequest, evidence: dict[str, m.Evidence], as_of: dt.date
) -> RequestState:
    """The request's state as of `as_of` (see the module's rules)."""
    issued = any(e in evidence and _issued(evidence[e], as_of) for e in request.evidence)
    if issued and (request.answered is None or request.answered <= as_of):
        return RequestState.ANSWERED
    if request.due is not None and request.due < as_of:
        return RequestState.OVERDUE
    return RequestState.OPEN


def request_statuses(portfolio: m.Portfolio, as_of: dt.date) -> list[RequestStatus]:
    """Every request of the portfolio in file order, with its state as of `as_of`."""
    return [
        RequestStatus(
            r,
            request_state(r, portfolio.evidence, as_of),
            None if r.due is None else (r.due - as_of).days,
        )
        for r in portfolio.requests
    ]
