"""Validate a whole portfolio: every file, every reference, every date, every data row.

`validate_portfolio` reads the folder once, collects *all* problems into a `Report` and returns
the `Portfolio` model when there is no error. It never raises for bad input; it raises
`PortfolioNotFound` only when the folder is not a portfolio at all.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from generator import model as m
from generator.diagnostics import Report, Span, suggest
from generator.portfolio.csvparse import Dialect
from generator.portfolio.guard import guard_portfolio
from generator.portfolio.links import check_reviews, read_reviews
from generator.portfolio.load import FOLDERS, Files, find_files
from generator.portfolio.parsecache import Loader, ParseCache
from generator.portfolio.records import (
    build_config,
    build_evidence,
    build_finding,
    build_requirement,
)
from generator.portfolio.requests import read_requests
from generator.portfolio.series import build_metric
from generator.portfolio.source import DEFAULT_LIMITS, Limits
from generator.portfolio.standards import check_clauses
from generator.portfolio.yamlparse import Document

KIND_NAMES = {
    "requirement": "requirement",
    "evidence": "evidence item",
    "metric": "metric",
    "finding": "finding",
}
FOLDER_OF = {kind: folder for folder, kind in FOLDERS.items()}
CONFIG_LISTS = {
    "person": "People",
    "category": "Categories",
    "scope": "Scope IDs (entity, sites, programs, suppliers)",
    "site": "Sites",
    "program": "Programs",
    "channel": "Channels",
    "standard": "Standards",
    "retention class": "Retention classes",
}


@dataclass(frozen=True)
class Record:
    kind: str
    doc: Document

    @property
    def id(self) -> str:
        value: str = self.doc.data["id"]
        return value


class _Refs:
    """Checks that every typed reference names something that exists, of the right kind."""

    def __init__(
        self,
        report: Report,
        tables: dict[str, set[str]],
        by_id: dict[str, Record],
        portfolio_rel: str,
        broken: set[str],
    ) -> None:
        self.report = report
        self.broken = broken  # IDs (file names) of records that did not load: no cascades
        self.tables = tables
        self.by_id = by_id
        self.portfolio_rel = portfolio_rel

    def check(self, what: str, value: str | None, span: Span, field: str) -> None:
        if value is None:
            return
        known = self.tables[what]
        if value in known or (what in KIND_NAMES and value in self.broken):
            return
        if what in KIND_NAMES:
            other = self.by_id.get(value)
            if other is not None:
                self.report.error(
                    span,
                    "E201",
                    f"'{value}' in '{field}' is "
                    f"{_article(KIND_NAMES[other.kind])}, not "
                    f"{_article(KIND_NAMES[what])}",
                )
                return
            where = f"{KIND_NAMES[what].capitalize()}s are defined under {FOLDER_OF[what]}/"
        else:
            where = f"{CONFIG_LISTS[what]} are defined in {self.portfolio_rel}"
        close = suggest(value, known)
        hint = f"{close} {where}" if close else where
        self.report.error(
            span, "E201", f"unknown {KIND_NAMES.get(what, what)} '{value}' in '{field}'", hint
        )

    def check_all(
        self, what: str, values: Iterable[str], doc: Document, path: tuple[str, ...]
    ) -> None:
        for index, value in enumerate(values):
            self.check(what, value, doc.span((*path, index)), ".".join(path))


def _article(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _reference_tables(config: m.Config, records: list[Record]) -> dict[str, set[str]]:
    tables: dict[str, set[str]] = {kind: set() for kind in KIND_NAMES}
    for record in records:
        tables[record.kind].add(record.id)
    tables.update(
        {
            "person": {p.id for p in config.people},
            "category": {c.id for c in config.categories},
            "scope": {u.id for u in config.scope},
            "site": {u.id for u in config.scope if u.kind == "site"},
            "program": {u.id for u in config.scope if u.kind == "program"},
            "channel": {c for c, _ in config.channels},
            "standard": {s.id for s in config.standards},
            "retention class": {r for r, _ in config.retention_classes},
        }
    )
    return tables


def _check_config_refs(doc: Document, refs: _Refs) -> None:
    """References inside portfolio.yaml, and IDs unique within each of its lists."""
    programs = doc.data["scope"].get("programs", [])
    for i, program in enumerate(programs):
        refs.check(
            "site",
            program.get("site"),
            doc.span(("scope", "programs", i, "site")),
            "scope.programs.site",
        )
        for j, channel in enumerate(program.get("channels", [])):
            refs.check(
                "channel",
                channel,
                doc.span(("scope", "programs", i, "channels", j)),
                "scope.programs.channels",
            )
    for i, supplier in enumerate(doc.data["scope"].get("suppliers", [])):
        for j, program in enumerate(supplier.get("programs", [])):
            at = doc.span(("scope", "suppliers", i, "programs", j))
            refs.check("program", program, at, "scope.suppliers.programs")
    seen: dict[str, Span] = {}
    lists: list[tuple[str, list[Any]]] = [
        ("standards", doc.data["standards"]),
        ("categories", doc.data["categories"]),
        ("people", doc.data.get("people", [])),
        ("retention_classes", doc.data.get("retention_classes", [])),
    ]
    scope = doc.data["scope"]
    lists += [
        (f"scope.{k}", scope.get(k, [])) for k in ("sites", "programs", "channels", "suppliers")
    ]
    for name, items in lists:
        local: dict[str, Span] = {}
        for i, item in enumerate(items):
            span = doc.span((*name.split("."), i, "id"))
            if item["id"] in local:
                refs.report.error(span, "E200", f"duplicate ID '{item['id']}' in '{name}'")
                refs.report.note(local[item["id"]], "E200", "first defined here")
            local[item["id"]] = span
        if name.startswith("scope.") and name != "scope.channels":  # suppliers are scopes too
            for key, span in local.items():
                if key in seen:
                    refs.report.error(span, "E200", f"scope ID '{key}' is used twice")
                seen[key] = span


def _check_records(records: list[Record], refs: _Refs) -> None:
    for record in records:
        doc, data = record.doc, record.doc.data
        refs.check("person", data.get("owner"), doc.span(("owner",)), "owner")
        if record.kind == "requirement":
            refs.check("category", data["category"], doc.span(("category",)), "category")
            for i, mapping in enumerate(data.get("mappings", [])):
                refs.check(
                    "standard",
                    mapping["standard"],
                    doc.span(("mappings", i, "standard")),
                    "mappings.standard",
                )
        elif record.kind == "evidence":
            refs.check_all("scope", data["scope"], doc, ("scope",))
            refs.check("retention class", data["retention"], doc.span(("retention",)), "retention")
            refs.check_all("requirement", data["supports"], doc, ("supports",))
        elif record.kind == "metric":
            scope = data["scope"]
            if isinstance(scope, str):
                refs.check("scope", scope, doc.span(("scope",)), "scope")
            else:
                refs.check_all("scope", scope, doc, ("scope",))
            refs.check_all("requirement", data.get("supports", []), doc, ("supports",))
            for i, note in enumerate(data.get("annotations", [])):
                for key, kind in (("finding", "finding"), ("evidence", "evidence")):
                    refs.check(
                        kind, note.get(key), doc.span(("annotations", i, key)), f"annotations.{key}"
                    )
        elif record.kind == "finding":
            refs.check_all("requirement", data["requirements"], doc, ("requirements",))
            refs.check_all("evidence", data.get("evidence", []), doc, ("evidence",))
            refs.check_all("metric", data.get("metrics", []), doc, ("metrics",))
            refs.check_all("scope", data.get("scope", []), doc, ("scope",))
            for i, action in enumerate(data.get("actions", [])):
                refs.check(
                    "person", action["owner"], doc.span(("actions", i, "owner")), "actions.owner"
                )


def _unique_ids(records: list[Record], report: Report) -> dict[str, Record]:
    by_id: dict[str, Record] = {}
    for record in records:
        doc = record.doc
        stem = doc.rel.rpartition("/")[2].rpartition(".")[0]  # Path(doc.rel).stem, faster
        if stem != record.id:
            report.error(
                doc.span(("id",)),
                "E202",
                f"file name '{Path(doc.rel).name}' does not match id '{record.id}'",
                f"rename the file to '{record.id}{Path(doc.rel).suffix}'",
            )
        first = by_id.get(record.id)
        if first is not None:
            report.error(
                doc.span(("id",)),
                "E200",
                f"duplicate ID '{record.id}'",
                "IDs must be unique across the whole portfolio",
            )
            report.note(first.doc.span(("id",)), "E200", f"'{record.id}' is first defined here")
            continue
        by_id[record.id] = record
    return by_id


def _coverage(portfolio: m.Portfolio, report: Report) -> None:
    for requirement in portfolio.requirements.values():
        if not portfolio.evidence_for(requirement.id):
            report.warning(
                requirement.span,
                "W600",
                f"requirement '{requirement.id}' has no evidence",
                "list it under 'supports' of the evidence items that prove it",
            )
    for item in portfolio.evidence.values():
        if not item.supports:
            report.warning(
                item.span,
                "W601",
                f"evidence item '{item.id}' supports no requirement",
                "list the requirements it proves under 'supports'",
            )


def validate_portfolio(
    root: Path,
    report: Report | None = None,
    limits: Limits = DEFAULT_LIMITS,
    cache: ParseCache | None = None,
) -> tuple[m.Portfolio | None, Report]:
    """Validate the portfolio folder `root`; the model is returned only when there is no error.

    With `cache`, files whose bytes were parsed before are not parsed again, and an unchanged
    portfolio is not validated again (`parsecache`): the same diagnostics and model, faster.
    Without one, every file is parsed.
    """
    loader = cache if cache is not None else Loader()
    report = report if report is not None else Report()
    with loader.session():
        fresh = not report.diagnostics  # a stored outcome holds all of a report's diagnostics
        files = find_files(root, report)
        run = functools.partial(_validate, files, report, limits, loader)
        return (loader.validated(files, report, limits, run) if fresh else run()), report


def _validate(files: Files, report: Report, limits: Limits, loader: Loader) -> m.Portfolio | None:
    portfolio_rel = files.rel(files.portfolio)
    config_doc = loader.document("portfolio", files.portfolio, portfolio_rel, report, limits)
    loader.start(config_doc)
    records: list[Record] = []
    broken: set[str] = set()
    for kind, path in files.records:
        doc = loader.document(kind, path, files.rel(path), report, limits)
        if doc is not None:
            records.append(Record(kind, doc))
        else:
            broken.add(path.stem)
    reviews_doc = None  # reviews.yaml: link reviews (see links.py)
    if files.reviews is not None:
        reviews_rel = files.rel(files.reviews)
        reviews_doc = loader.document("reviews", files.reviews, reviews_rel, report, limits)
    requests_doc = None  # requests.yaml: the auditor's request list (see requests.py)
    if files.requests is not None:
        requests_rel = files.rel(files.requests)
        requests_doc = loader.document("requests", files.requests, requests_rel, report, limits)
    report.files = 1 + len(files.records) + len(files.tables) + (files.reviews is not None)
    report.files += files.requests is not None
    config = build_config(config_doc, report) if config_doc is not None else None
    by_id = _unique_ids(records, report)
    if config is None or config_doc is None:
        return None
    refs = _Refs(report, _reference_tables(config, records), by_id, portfolio_rel, broken)
    _check_config_refs(config_doc, refs)
    _check_records(records, refs)
    requirement_docs = [r.doc for r in records if r.kind == "requirement"]
    check_clauses(config, requirement_docs, portfolio_rel, report)
    requests = () if requests_doc is None else read_requests(requests_doc, refs.check, report)
    reviews: tuple[m.Review, ...] = ()
    if reviews_doc is not None:
        reviews = read_reviews(reviews_doc, refs.tables["person"], portfolio_rel, report)
    docs = [config_doc, *(r.doc for r in records)]  # reviews.yaml holds only IDs and hashes
    docs += [requests_doc] if requests_doc is not None else []
    loader.loaded(files.root, docs)  # attachments are read from here on
    claimed: dict[Path, Dialect] = {}  # the data files of the metrics, in their CSV dialect
    built = _build(files, config, list(by_id.values()), report, loader, limits, broken, claimed)
    skip = loader.clean_for(config.privacy.regions)  # files whose text holds nothing to find
    guard_portfolio(files, config, docs, report, limits, claimed, skip)
    if built is None or report.errors:
        return None
    if files.reviews is not None:
        inputs = tuple(sorted((*built.files, files.rel(files.reviews))))
        built = replace(built, reviews=reviews, files=inputs)
    if files.requests is not None:
        inputs = tuple(sorted((*built.files, files.rel(files.requests))))
        built = replace(built, requests=requests, files=inputs)
    _coverage(built, report)
    check_reviews(built, report)
    return built


def _build(
    files: Files,
    config: m.Config,
    records: list[Record],
    report: Report,
    loader: Loader,
    limits: Limits,
    broken: set[str],
    claimed: dict[Path, Dialect],
) -> m.Portfolio | None:
    kinds: dict[str, dict[str, Any]] = {kind: {} for kind in KIND_NAMES}
    as_of = m.Month.of(config.as_of)
    for record in sorted(records, key=lambda r: (r.kind, r.id)):
        doc = record.doc
        if record.kind == "requirement":
            kinds["requirement"][record.id] = build_requirement(doc, report)
        elif record.kind == "evidence":
            kinds["evidence"][record.id] = build_evidence(
                doc, report, files.root, config.attachment_mb << 20
            )
        elif record.kind == "finding":
            kinds["finding"][record.id] = build_finding(doc, report)
        else:
            yaml_path = files.base / doc.rel
            data_path = yaml_path.parent / (doc.data.get("data") or f"{record.id}.csv")
            claimed[data_path] = Dialect.of(doc.data)
            data_rel = (
                files.rel(data_path) if data_path.is_relative_to(files.base) else str(data_path)
            )
            table = None
            if data_path not in files.tables:
                report.error(
                    doc.span(("id",)),
                    "E510",
                    f"no data file '{data_path.name}' beside metric '{record.id}'",
                    "add a CSV with the columns period,value",
                )
            else:
                table = loader.table(data_path, data_rel, report, limits, claimed[data_path])
            kinds["metric"][record.id] = build_metric(doc, table, data_rel, as_of, report)
    for path, rel in sorted(files.tables.items()):
        if path not in claimed and path.stem not in broken:
            report.warning(
                Span(rel),
                "W511",
                f"'{rel}' belongs to no metric definition",
                f"add {path.stem}.yaml beside it, or remove it",
            )
    if report.errors:
        return None
    return m.Portfolio(
        root=files.root,
        config=config,
        requirements=kinds["requirement"],
        evidence=kinds["evidence"],
        metrics=kinds["metric"],
        findings=kinds["finding"],
        files=tuple(
            sorted(
                [files.rel(files.portfolio)]
                + [files.rel(p) for _, p in files.records]
                + list(files.tables.values())
            )
        ),
    )
