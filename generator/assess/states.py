"""The named states an assessment assigns, each an `enum.StrEnum` in its display order.

Members compare and hash equal to their value (`RequirementState.MET == "met"`), so the JSON
document, the templates and the label tables keep using the plain strings.
"""

from __future__ import annotations

from enum import StrEnum


class RequirementState(StrEnum):
    """A requirement's status: from evidence, findings and (for results) metrics."""

    MET = "met"
    PARTLY_MET = "partly met"
    NOT_MET = "not met"
    NO_EVIDENCE = "no evidence"


class MetricState(StrEnum):
    """A metric's verdict over its evaluation window; a split metric takes its worst scope."""

    MET = "met"
    IMPROVING = "improving"
    NOT_MET = "not met"
    NO_DATA = "no data"


class FreshnessState(StrEnum):
    """An evidence item's freshness as of the assessment date."""

    CURRENT = "current"
    DUE_SOON = "due soon"
    OVERDUE = "overdue"
    EXPIRED = "expired"
    NOT_ISSUED = "not yet issued"  # dated after the assessment date, no earlier version


class FindingState(StrEnum):
    """Where a finding stands as of the assessment date."""

    OPEN = "open"
    OVERDUE = "overdue"
    IMPLEMENTED = "implemented"
    CLOSED = "closed"
    VERIFIED_CLOSED = "verified-closed"


class RequestState(StrEnum):
    """An auditor's request as of the assessment date."""

    ANSWERED = "answered"
    OPEN = "open"
    OVERDUE = "overdue"


class Effect(StrEnum):
    """What a reason does to its requirement's status, most severe first."""

    FAIL = "fail"
    GAP = "gap"
    INFO = "info"


REQUIREMENT_STATUSES = tuple(RequirementState)
METRIC_STATUSES = tuple(MetricState)
FRESHNESS_STATES = tuple(FreshnessState)
FINDING_STATES = tuple(FindingState)
