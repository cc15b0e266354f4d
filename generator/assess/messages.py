"""What the assessment says, as data: a code and its parameters, rendered per language later.

Every sentence an auditor reads about a status (why an evidence item is due, where a finding
stands, why a metric is met or not, why a requirement is partly met) is a `Message`: a `Code`
and named parameters (dates, months, counts, p-values, IDs, states, nested messages). The
assessment never builds a sentence. `Message.text` renders English through `ENGLISH` (for the
JSON document and the command line); the site renders the same message through the
language's table in `generator/site/labels/<lang>.json` with its own number and date formats.

Templates name their parameters in braces, with a kind after a colon where the value needs
formatting: `{date:date}`, `{month:month}`, `{months:months}` (several), `{p:p}` (the one
rule for p-values: `format_p`), `{alpha:alpha}` (a significance level, "p < 0.05"),
`{slope:slope}`, `{centre:num}`, `{state:word}` (a state or kind, translated by the word
table), `{items:list}` (messages joined with "; "), `{ids:ids}` (IDs joined with ", ").
Plain `{name}` is an ID, a number of months or days, or user text, shown as it is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from generator import model as m


class Code(StrEnum):
    # evidence freshness
    EXPIRED = "evidence.expired"
    REVIEW_OVERDUE = "evidence.review-overdue"
    NO_DATES = "evidence.no-dates"
    REVIEW_DUE = "evidence.review-due"
    EXPIRES = "evidence.expires"
    NOT_ISSUED = "evidence.not-yet-issued"
    EARLIER_VERSION = "evidence.earlier-version"
    # where a finding stands
    VERIFIED = "finding.verified"
    CLOSED = "finding.closed"
    CLOSED_UNVERIFIED = "finding.closed-unverified"
    CHECK_OVERDUE = "finding.check-overdue"
    CHECK_DUE = "finding.check-due"
    NOT_CHECKED = "finding.not-checked"
    ACTION_OVERDUE = "finding.action-overdue"
    ACTION_DUE = "finding.action-due"
    # a metric's verdict over its window
    NO_DATA_IN_WINDOW = "verdict.no-data-in-window"
    NO_DATA_FOR_SCOPE = "verdict.no-data-for-scope"
    TARGET_MET = "verdict.met"
    IMPROVING = "verdict.improving"
    TARGET_MISSED = "verdict.missed"
    TARGET_MISSED_TREND = "verdict.missed-with-trend"
    MISSING_MONTHS = "verdict.missing-months"
    RULE = "verdict.rule"
    SCOPED = "verdict.scoped"
    # why a requirement has its status
    OBSERVATION = "reason.observation"
    FINDING_CLEARED = "reason.finding-cleared"
    FINDING_CLEARED_NOTE = "reason.finding-cleared-note"
    FINDING = "reason.finding"
    METRIC = "reason.metric"
    METRIC_ACTION_OPEN = "reason.metric-action-open"
    METRIC_NO_ACTION = "reason.metric-no-action"
    EVIDENCE = "reason.evidence"
    ALL_EXPIRED = "reason.all-expired"
    # control-chart phases
    FIRST_PHASE = "phase.first"
    PHASE_ANNOTATION = "phase.annotation"
    NEW_PHASE = "phase.suggestion"
    # readiness warnings (W7xx) and what to do about them
    NO_COMPARATOR = "readiness.no-comparator"
    NO_RATIONALE = "readiness.no-rationale"
    MISS_NO_ACTION = "readiness.miss-without-action"
    LOW_N = "readiness.low-n"
    SIGNAL_UNEXPLAINED = "readiness.signal-unexplained"
    DATA_ENDS = "readiness.data-ends"
    ACTION_LATE = "readiness.action-late"
    CLOSED_UNCHECKED = "readiness.closed-unchecked"
    CHECK_LATE = "readiness.check-late"
    EVIDENCE_STALE = "readiness.evidence-stale"
    DO_COMPARATOR = "todo.add-comparator"
    DO_RATIONALE = "todo.add-rationale"
    DO_ANNOTATE_MISS = "todo.annotate-miss"
    DO_ANNOTATE_SAMPLE = "todo.annotate-sample"
    DO_ANNOTATE_SIGNAL = "todo.annotate-signal"
    DO_ADD_MONTHS = "todo.add-months"
    DO_ACTION_DATE = "todo.action-date"
    DO_VERIFY_OR_REOPEN = "todo.verify-or-reopen"
    DO_VERIFY = "todo.verify"
    DO_REVIEW = "todo.review-evidence"


#: The English text of every code; the other languages live in the site's label files.
ENGLISH: dict[Code, str] = {
    Code.EXPIRED: "expired on {date:date}",
    Code.REVIEW_OVERDUE: "review was due on {date:date}",
    Code.NO_DATES: "no review or expiry date",
    Code.REVIEW_DUE: "review due on {date:date} (in {days} days)",
    Code.EXPIRES: "expires on {date:date} (in {days} days)",
    Code.NOT_ISSUED: "not yet issued on the assessment date (dated {date:date})",
    Code.EARLIER_VERSION: "version {version} of {date:date} was in force on the assessment date",
    Code.VERIFIED: "closed on {closed:date}, effectiveness verified on {verified:date}",
    Code.CLOSED: "closed on {closed:date}",
    Code.CLOSED_UNVERIFIED: "closed on {closed:date} without an effectiveness check",
    Code.CHECK_OVERDUE: "implemented on {implemented:date}; effectiveness check was due on "
    "{due:date}",
    Code.CHECK_DUE: "implemented on {implemented:date}; effectiveness check due on {due:date}",
    Code.NOT_CHECKED: "implemented on {implemented:date}; effectiveness not yet checked",
    Code.ACTION_OVERDUE: "corrective action was due on {due:date}",
    Code.ACTION_DUE: "corrective action due on {due:date} (in {days} days)",
    Code.NO_DATA_IN_WINDOW: "no month with data and a target in the window",
    Code.NO_DATA_FOR_SCOPE: "no data for this scope",
    Code.TARGET_MET: "target met in {met} of {months} months",
    Code.IMPROVING: "target met in {met} of {months} months, but the trend is significantly "
    "{tendency:word} (Mann-Kendall {p:p}, Sen slope {slope:slope}/month)",
    Code.TARGET_MISSED: "target missed in {missed} of {months} months",
    Code.TARGET_MISSED_TREND: "target missed in {missed} of {months} months and the trend is "
    "{tendency:word} (Mann-Kendall {p:p})",
    Code.MISSING_MONTHS: "{verdict:list}; no data for {missing:months}",
    Code.RULE: "target met in at least {min} of the last {window} months, or a favourable "
    "Mann-Kendall trend ({alpha:alpha}) over them",
    Code.SCOPED: "{scope}: {verdict:list}",
    Code.OBSERVATION: "observation {finding} ({state:word}): {because:list}",
    Code.FINDING_CLEARED: "{grade:word} finding {finding} is open but cleared for "
    "{requirement} on {date:date}",
    Code.FINDING_CLEARED_NOTE: "{grade:word} finding {finding} is open but cleared for "
    "{requirement} on {date:date}: {note}",
    Code.FINDING: "{grade:word} finding {finding} {state:word}: {because:list}",
    Code.METRIC: "metric {metric} {state:word}: {verdicts:list}",
    Code.METRIC_ACTION_OPEN: "metric {metric} {state:word}: {verdicts:list}; action open in "
    "finding {findings:ids}",
    Code.METRIC_NO_ACTION: "metric {metric} {state:word}: {verdicts:list}; no open corrective "
    "action",
    Code.EVIDENCE: "evidence {evidence} {state:word}: {because:list}",
    Code.ALL_EXPIRED: "every evidence item for this requirement has expired",
    Code.FIRST_PHASE: "first month of data",
    Code.PHASE_ANNOTATION: "phase annotation: {text}",
    Code.NO_COMPARATOR: "metric {metric} has no comparator",
    Code.NO_RATIONALE: "target of {metric} from {start:month} has no rationale",
    Code.MISS_NO_ACTION: "{name} missed its target in {month:month} with no linked action",
    Code.LOW_N: "{name} sample in {month:month} is below plan (n = {n})",
    Code.SIGNAL_UNEXPLAINED: "{name}: {rule:word} signal ({direction:word}, {start:month} to "
    "{end:month}) has no annotation",
    Code.DATA_ENDS: "{name} data ends in {month:month}, before the last full month before "
    "{as_of:date}",
    Code.ACTION_LATE: "action of {finding} was due on {due:date} and is not done",
    Code.CLOSED_UNCHECKED: "{finding} was closed without an effectiveness check",
    Code.CHECK_LATE: "effectiveness check of {finding} was due on {due:date}",
    Code.EVIDENCE_STALE: "evidence {evidence} is {state:word}: {because:list}",
    Code.DO_COMPARATOR: "add a benchmark, peer, prior-year or budget comparison",
    Code.DO_RATIONALE: "say why: contract, customer research, benchmark, capability",
    Code.DO_ANNOTATE_MISS: "annotate the month or link a finding",
    Code.DO_ANNOTATE_SAMPLE: "annotate why the sample was small",
    Code.DO_ANNOTATE_SIGNAL: "annotate the cause, the action, or 'investigated, no cause found'",
    Code.DO_ADD_MONTHS: "add the latest months",
    Code.DO_ACTION_DATE: "record the date it was done, or agree a new due date",
    Code.DO_VERIFY_OR_REOPEN: "record effectiveness.verified, or reopen the finding",
    Code.DO_VERIFY: "verify effectiveness and record the date",
    Code.DO_REVIEW: "review the item and record the new version and dates",
    Code.NEW_PHASE: "new phase from {start:month}? {points} points on the favourable side of "
    "the centre line {centre:num} since {start:month}; start a phase with a 'phase' "
    "annotation if a documented process change explains it",
}

Param = Any  # str | int | float | dt.date | m.Month | Message | tuple[Message | str, ...]
_FIELD = re.compile(r"\{(\w+)(?::(\w+))?\}")


@dataclass(frozen=True)
class Message:
    """A code and its parameters; `text` is the English sentence."""

    code: Code
    params: tuple[tuple[str, Param], ...] = ()

    @classmethod
    def of(cls, code: Code, **params: Param) -> Message:
        return cls(code, tuple(params.items()))

    def get(self, name: str) -> Param:
        return dict(self.params)[name]

    @property
    def text(self) -> str:
        return render(self, ENGLISH, ENGLISH_FORMAT)

    def __str__(self) -> str:
        return self.text

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: code, parameters (dates as ISO text) and the English text."""
        return {
            "code": self.code.value,
            "params": {k: _json(v) for k, v in self.params},
            "text": self.text,
        }


def _json(value: Param) -> Any:
    if isinstance(value, Message):
        return value.as_dict()
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    if isinstance(value, dt.date | m.Month):
        return str(value)
    return value


class Format(Protocol):
    """How one language prints each kind of parameter."""

    def __call__(self, kind: str, value: Param, nested: Callable[[Message], str]) -> str: ...


def format_p(p: float) -> str:
    """The one rule for p-values: "p < 0.001" below 0.001, else "p = 0.012" (3 decimals)."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _english(kind: str, value: Param, nested: Callable[[Message], str]) -> str:
    if kind == "list":
        items = value if isinstance(value, tuple) else (value,)
        return "; ".join(nested(v) if isinstance(v, Message) else str(v) for v in items)
    if kind == "ids":
        return ", ".join(str(v) for v in value)
    if kind == "months":
        return ", ".join(str(v) for v in value)
    if kind == "p":
        return format_p(float(value))
    if kind == "alpha":
        return f"p < {float(value):g}"
    if kind == "slope":
        return f"{float(value):+.3g}"
    if kind == "num":
        return f"{float(value):.2f}"
    return str(value)  # date (ISO), month, word (the English value itself), plain


ENGLISH_FORMAT: Format = _english


def render(message: Message, templates: Mapping[Code, str] | Mapping[str, str], fmt: Format) -> str:
    """The message in the language of `templates`, parameters printed by `fmt`."""
    params = dict(message.params)

    def nested(inner: Message) -> str:
        return render(inner, templates, fmt)

    def field(match: re.Match[str]) -> str:
        name, kind = match.group(1), match.group(2) or "plain"
        return fmt(kind, params[name], nested)

    table: Mapping[Any, str] = templates
    return _FIELD.sub(field, table[message.code])


def placeholders(template: str) -> set[str]:
    """The parameter names (with their kinds) a template uses, to compare translations."""
    return {f"{name}:{kind or 'plain'}" for name, kind in _FIELD.findall(template)}
