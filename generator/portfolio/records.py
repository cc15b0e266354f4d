"""Schema-checked documents → model records, parsing dates and months with their positions.

The schema has already vouched for types and field names, so this module only converts values
and reports what a schema cannot express: real calendar dates and dates in a sensible order.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from generator import model as m
from generator.diagnostics import Report, Span
from generator.portfolio.attachments import check_attachment, check_url
from generator.portfolio.guard import read_privacy
from generator.portfolio.schema import field_name
from generator.portfolio.values import check_year
from generator.portfolio.yamlparse import Document, Path_


class Fields:
    """Typed access to one document's values, reporting conversion problems at their span."""

    def __init__(self, doc: Document, report: Report) -> None:
        self.doc = doc
        self.report = report

    def get(self, *path: str | int) -> Any:
        value: Any = self.doc.data
        for part in path:
            if isinstance(part, int):
                value = value[part] if isinstance(value, list) and part < len(value) else None
            else:
                value = value.get(part) if isinstance(value, dict) else None
        return value

    def span(self, *path: str | int) -> Span:
        return self.doc.span(tuple(path))

    def date(self, *path: str | int) -> dt.date | None:
        text = self.get(*path)
        if text is None:
            return None
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            self.report.error(
                self.span(*path), "E400", f"'{field_name(path)}' is not a real date: '{text}'"
            )
            return None
        span, name = self.span(*path), field_name(path)
        return day if check_year(day.year, text, span, name, self.report) else None

    def month(self, *path: str | int) -> m.Month | None:
        text = self.get(*path)
        if text is None:
            return None
        try:
            month = m.Month.parse(text)
        except ValueError:
            self.report.error(
                self.span(*path), "E400", f"'{field_name(path)}' is not a real month: '{text}'"
            )
            return None
        span, name = self.span(*path), field_name(path)
        return month if check_year(month.year, text, span, name, self.report) else None

    def order(self, earlier: Path_, later: Path_, first: Any, second: Any) -> None:
        """Report E401 when `second` comes before `first` (both already converted)."""
        if first is not None and second is not None and second < first:
            self.report.error(
                self.span(*later),
                "E401",
                f"'{field_name(later)}' ({self.get(*later)}) is before "
                f"'{field_name(earlier)}' ({self.get(*earlier)})",
            )


def _supplier(f: Fields, i: int, item: dict[str, Any]) -> m.ScopeUnit:
    """A `scope.suppliers` entry as a scope unit; its contract's end not before its start."""
    contract = None
    if item.get("contract") is not None:
        at = ("scope", "suppliers", i, "contract")
        start, end = f.date(*at, "start"), f.date(*at, "end")
        f.order((*at, "start"), (*at, "end"), start, end)
        contract = m.Contract(start, end, item["contract"].get("reference"))
    return m.ScopeUnit(
        item["id"],
        item["name"],
        "supplier",
        services=tuple(item.get("services", [])),
        programs=tuple(item.get("programs", [])),
        contract=contract,
    )


def build_config(doc: Document, report: Report) -> m.Config | None:
    f = Fields(doc, report)
    as_of = f.date("as_of")
    scope = f.get("scope")
    entity = scope["entity"]
    units = [m.ScopeUnit(entity["id"], entity["name"], "entity")]
    units += [m.ScopeUnit(s["id"], s["name"], "site") for s in scope.get("sites", [])]
    units += [
        m.ScopeUnit(
            p["id"],
            p["name"],
            "program",
            p.get("site"),
            p.get("client"),
            tuple(p.get("channels", [])),
        )
        for p in scope.get("programs", [])
    ]
    units += [_supplier(f, i, s) for i, s in enumerate(scope.get("suppliers", []))]
    organisation = f.get("organisation")
    evaluation = m.Evaluation(**f.get("evaluation") or {})
    if evaluation.min_months_met > evaluation.window_months:
        report.error(
            f.span("evaluation", "min_months_met"),
            "E105",
            f"'evaluation.min_months_met' ({evaluation.min_months_met}) is more than "
            f"'evaluation.window_months' ({evaluation.window_months})",
        )
    if as_of is None:
        return None
    return m.Config(
        id=f.get("id"),
        title=f.get("title") or organisation["name"],
        organisation=organisation["name"],
        organisation_short=organisation.get("short_name"),
        organisation_type=organisation.get("type"),
        organisation_description=organisation.get("description"),
        as_of=as_of,
        language=f.get("language") or "en",
        standards=tuple(
            m.Standard(
                s["id"],
                s["name"],
                s.get("release"),
                s.get("edition"),
                bool(s.get("primary")),
                tuple(
                    m.Clause(c["id"], c.get("title"), f.span("standards", i, "clauses", j))
                    for j, c in enumerate(s.get("clauses") or [])
                ),
            )
            for i, s in enumerate(f.get("standards"))
        ),
        scope=tuple(units),
        channels=tuple((c["id"], c["name"]) for c in scope.get("channels", [])),
        functions=tuple(scope.get("functions", [])),
        suppliers=tuple((s["id"], s["name"]) for s in scope.get("suppliers", [])),
        exclusions=tuple((x["name"], x["reason"]) for x in scope.get("exclusions", [])),
        descriptions={
            x["id"]: x["description"]
            for x in [
                entity,
                *(x for k in ("sites", "programs", "suppliers") for x in scope.get(k, [])),
                *f.get("standards"),
            ]
            if isinstance(x, dict) and x.get("description")
        },
        categories=tuple(
            m.Category(
                c["id"], c["title"], c.get("description"), c.get("points"), f.span("categories", i)
            )
            for i, c in enumerate(f.get("categories"))
        ),
        evaluation=evaluation,
        retention_classes=tuple((r["id"], r["title"]) for r in f.get("retention_classes") or []),
        people=tuple(
            m.Person(p["id"], p["role"], p.get("name"), f.span("people", i))
            for i, p in enumerate(f.get("people") or [])
        ),
        span=f.span(),
        privacy=read_privacy(doc, report),
        attachment_mb=f.get("limits", "attachment_mb") or m.Config.attachment_mb,
    )


def build_requirement(doc: Document, report: Report) -> m.Requirement:
    f = Fields(doc, report)
    return m.Requirement(
        id=f.get("id"),
        title=f.get("title"),
        category=f.get("category"),
        wording=f.get("wording"),
        points=f.get("points"),
        owner=f.get("owner"),
        mappings=tuple(
            m.Mapping(x["standard"], x["clause"], x.get("title"), x.get("note"))
            for x in f.get("mappings") or []
        ),
        notes=f.get("notes"),
        span=f.span(),
        results=bool(f.get("results")),
    )


def _history(f: Fields, date: dt.date | None) -> tuple[m.Version, ...]:
    """`history`: the earlier versions, oldest first, each on its own day before `date`."""
    versions: list[m.Version] = []
    for i, item in enumerate(f.get("history") or []):
        day = f.date("history", i, "date")
        if day is None:
            continue
        span, name = f.span("history", i, "date"), f"history[{i}].date"
        same = next((v for v in versions if v.date == day), None)
        if same is not None:
            f.report.error(
                span,
                "E403",
                f"'{name}' ({day}) is the date of an earlier entry (line {same.span.line})",
                "give each version its own issue date, or merge the two entries",
            )
        elif versions and day < versions[-1].date:
            f.report.error(
                span,
                "E402",
                f"'{name}' ({day}) is before the entry above it ({versions[-1].date})",
                "list earlier versions oldest first",
            )
        if date is not None and day >= date:
            f.report.error(
                span,
                "E404",
                f"'{name}' ({day}) is not before the item's 'date' ({date})",
                "history lists earlier versions; the current version's date is 'date'",
            )
        versions.append(m.Version(item.get("version"), day, item.get("note"), f.span("history", i)))
    return tuple(versions)


def build_evidence(doc: Document, report: Report, root: Path, attachment_bytes: int) -> m.Evidence:
    f = Fields(doc, report)
    date = f.date("date")
    review_by, valid_until = f.date("review_by"), f.date("valid_until")
    f.order(("date",), ("review_by",), date, review_by)
    f.order(("date",), ("valid_until",), date, valid_until)
    period = None
    if f.get("period") is not None:
        start, end = f.month("period", "from"), f.month("period", "to")
        f.order(("period", "from"), ("period", "to"), start, end)
        period = (f.get("period", "from"), f.get("period", "to"))
    attachments = []
    for i, item in enumerate(f.get("attachments") or []):
        span = f.span("attachments", i, "path")
        path = check_attachment(root, item["path"], span, report, attachment_bytes)
        if path is not None:
            attachments.append(m.Attachment(path, item.get("title"), span))
    links = []
    for i, item in enumerate(f.get("links") or []):
        if check_url(item["url"], f.span("links", i, "url"), report):
            links.append(m.Link(item["url"], item.get("title")))
    return m.Evidence(
        id=f.get("id"),
        title=f.get("title"),
        type=f.get("type"),
        owner=f.get("owner"),
        version=f.get("version"),
        date=date or dt.date.min,
        cadence=f.get("cadence"),
        period=period,
        scope=tuple(f.get("scope")),
        retention=f.get("retention"),
        review_by=review_by,
        valid_until=valid_until,
        location=f.get("location"),
        attachments=tuple(attachments),
        links=tuple(links),
        supports=tuple(f.get("supports")),
        description=f.get("description"),
        notes=f.get("notes"),
        span=f.span(),
        history=_history(f, date),
    )


def build_finding(doc: Document, report: Report) -> m.Finding:
    f = Fields(doc, report)
    raised, due = f.date("raised"), f.date("due")
    implemented, closed = f.date("implemented"), f.date("closed")
    f.order(("raised",), ("due",), raised, due)
    f.order(("raised",), ("implemented",), raised, implemented)
    f.order(("implemented",), ("closed",), implemented, closed)
    if closed is not None and implemented is None:
        report.error(
            f.span("closed"),
            "E401",
            "'closed' is set but 'implemented' is not",
            "add the date the corrective action was implemented",
        )
    actions = []
    for i, action in enumerate(f.get("actions") or []):
        action_due, done = f.date("actions", i, "due"), f.date("actions", i, "done")
        f.order(("raised",), ("actions", i, "done"), raised, done)
        actions.append(
            m.Action(
                action["description"],
                action["owner"],
                action_due or dt.date.min,
                done,
                f.span("actions", i),
            )
        )
    cleared = []
    for i, item in enumerate(f.get("cleared") or []):
        date = f.date("cleared", i, "date")
        f.order(("raised",), ("cleared", i, "date"), raised, date)
        if item["requirement"] not in f.get("requirements"):
            report.error(
                f.span("cleared", i, "requirement"),
                "E106",
                f"cleared requirement '{item['requirement']}' is not one of the "
                "finding's 'requirements'",
            )
        elif date is not None:
            cleared.append(
                m.Clearance(item["requirement"], date, item.get("note"), f.span("cleared", i))
            )
    effectiveness = None
    if f.get("effectiveness") is not None:
        verified = f.date("effectiveness", "verified")
        f.order(("implemented",), ("effectiveness", "verified"), implemented, verified)
        effectiveness = m.Effectiveness(
            f.get("effectiveness", "criterion"),
            f.date("effectiveness", "due"),
            verified,
            f.get("effectiveness", "result"),
        )
    return m.Finding(
        id=f.get("id"),
        title=f.get("title"),
        grade=m.Grade(f.get("grade")),
        source=f.get("source"),
        audit=f.get("audit"),
        raised=raised or dt.date.min,
        requirements=tuple(f.get("requirements")),
        evidence=tuple(f.get("evidence") or []),
        metrics=tuple(f.get("metrics") or []),
        description=f.get("description"),
        root_cause=f.get("root_cause"),
        correction=f.get("correction"),
        actions=tuple(actions),
        owner=f.get("owner"),
        due=due or dt.date.min,
        implemented=implemented,
        effectiveness=effectiveness,
        closed=closed,
        notes=f.get("notes"),
        span=f.span(),
        cleared=tuple(cleared),
        scope=tuple(f.get("scope") or []),
    )
