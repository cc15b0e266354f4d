"""Links between records, their recorded reviews (reviews.yaml), and the suspect ones.

A link is typed once, on its owning side: an evidence item or a metric `supports` a
requirement; a finding names its `requirements`, `evidence` and `metrics`. `reviews.yaml`, at
the top of the portfolio beside portfolio.yaml, holds one line per reviewed link:

    EV-002 > LP-01: {owner: 3f2a9c1e77b0, target: 9d8e7f6a5b4c, by: qa-lead, date: 2025-01-15}

that is: on `date`, `by` checked that EV-002 still supports LP-01 as both read then (`owner`
and `target` are their fingerprints, see `generator.portfolio.fingerprint`). A reviewed link
whose owner or target no longer has that fingerprint is *suspect* (W603) until `certfolio
review` records a new review; a link with no entry is merely unreviewed. No file means no link
has been reviewed.

Validation reads the file here (`read_reviews`: the link's form, the date, the reviewer) and,
once the portfolio is built, warns about suspect links and reviews of links that no longer
exist (`check_reviews`), so every command that validates shows them. `find_suspects` is the
one computation behind all of that, the site's pages and `certfolio diff`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from generator import model as m
from generator.diagnostics import Report, Span, suggest
from generator.portfolio.fingerprint import Fingerprints
from generator.portfolio.records import Fields
from generator.portfolio.yamlparse import Document

REVIEWS_FILE = "reviews.yaml"
_ID = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
LINK_KEY = re.compile(rf"({_ID}) > ({_ID})")
KIND_NAMES = {
    "requirement": "requirement",
    "evidence": "evidence item",
    "metric": "metric",
    "finding": "finding",
}


@dataclass(frozen=True, order=True)
class Link:
    """One typed link, from the record that lists it (`owner`) to the one it names."""

    owner: str
    target: str
    owner_kind: str  # "evidence" | "metric" | "finding"
    target_kind: str  # "requirement" | "evidence" | "metric"

    @property
    def key(self) -> str:
        """How reviews.yaml and messages name it: `EV-002 > LP-01`."""
        return f"{self.owner} > {self.target}"


def links_of(portfolio: m.Portfolio) -> list[Link]:
    """Every link of the portfolio, sorted by owner and target."""
    found = [
        Link(e.id, r, "evidence", "requirement")
        for e in portfolio.evidence.values()
        for r in e.supports
    ]
    found += [
        Link(x.id, r, "metric", "requirement")
        for x in portfolio.metrics.values()
        for r in x.supports
    ]
    for f in portfolio.findings.values():
        found += [Link(f.id, r, "finding", "requirement") for r in f.requirements]
        found += [Link(f.id, e, "finding", "evidence") for e in f.evidence]
        found += [Link(f.id, x, "finding", "metric") for x in f.metrics]
    return sorted(set(found))


def link_between(portfolio: m.Portfolio, owner: str, target: str) -> Link | None:
    """The link from `owner` to `target` as `links_of` lists it, or None when there is none;
    looked up in the owner's lists, so a portfolio's reviews are checked without listing
    every link (15,000 and more at scale). Should a finding list the target under two kinds,
    the link is the one `links_of` sorts last, as a lookup by (owner, target) finds it."""
    if owner in portfolio.evidence:
        found = target in portfolio.evidence[owner].supports
        return Link(owner, target, "evidence", "requirement") if found else None
    if owner in portfolio.metrics:
        found = target in portfolio.metrics[owner].supports
        return Link(owner, target, "metric", "requirement") if found else None
    finding = portfolio.findings.get(owner)
    if finding is None:
        return None
    kinds = [
        kind
        for kind, listed in (
            ("evidence", finding.evidence),
            ("metric", finding.metrics),
            ("requirement", finding.requirements),
        )
        if target in listed
    ]
    return Link(owner, target, "finding", kinds[-1]) if kinds else None


def kind_of(portfolio: m.Portfolio, record_id: str) -> str | None:
    """'requirement', 'evidence', 'metric' or 'finding'; None when no record has the ID."""
    for kind, records in (
        ("requirement", portfolio.requirements),
        ("evidence", portfolio.evidence),
        ("metric", portfolio.metrics),
        ("finding", portfolio.findings),
    ):
        if record_id in records:
            return kind
    return None


@dataclass(frozen=True)
class Suspect:
    """A reviewed link one of whose sides changed since the review. Stable: `certfolio diff`
    and the site's pages read it."""

    owner_kind: str  # "evidence" | "metric" | "finding"
    owner: str  # the ID of the record that lists the link
    target_kind: str  # "requirement" | "evidence" | "metric"
    target: str  # the ID it names
    changed: str  # which side's fingerprint differs: "owner", "target" or "both"
    date: dt.date  # the last review
    by: str  # the person ID of the reviewer
    span: Span  # the review's entry in reviews.yaml

    @property
    def key(self) -> str:
        return f"{self.owner} > {self.target}"

    @property
    def changed_ids(self) -> tuple[str, ...]:
        """The IDs of the records that changed since the review."""
        sides = {"owner": (self.owner,), "target": (self.target,)}
        return sides.get(self.changed, (self.owner, self.target))


def find_suspects(portfolio: m.Portfolio) -> list[Suspect]:
    """The portfolio's suspect links, sorted by owner and target: every entry of
    `portfolio.reviews` whose link still exists and whose owner or target fingerprint differs
    from the record's now. Reviews of links that no longer exist are skipped. Attachments
    are read (their SHA-256 is part of an evidence item's fingerprint)."""
    prints = Fingerprints(portfolio)
    suspects = []
    for review in portfolio.reviews:
        link = link_between(portfolio, review.owner, review.target)
        if link is None:
            continue
        owner = prints(link.owner) != review.owner_fingerprint
        target = prints(link.target) != review.target_fingerprint
        if owner or target:
            changed = "both" if owner and target else "owner" if owner else "target"
            suspects.append(
                Suspect(
                    link.owner_kind,
                    link.owner,
                    link.target_kind,
                    link.target,
                    changed,
                    review.date,
                    review.by,
                    review.span,
                )
            )
    return sorted(suspects, key=lambda s: (s.owner, s.target))


def read_reviews(
    doc: Document, people: set[str], portfolio_rel: str, report: Report
) -> tuple[m.Review, ...]:
    """reviews.yaml's entries, after its schema check: each key must be `OWNER > TARGET`
    (E605), each `date` a real date (E400, E107), each `by` a person (E201). Whether the
    links exist is checked later, on the built portfolio (`check_reviews`)."""
    fields = Fields(doc, report)
    reviews = []
    for key, entry in doc.data.items():
        span = doc.span((key,), key=True)
        match = LINK_KEY.fullmatch(key)
        if match is None:
            report.error(
                span,
                "E605",
                f"'{key}' is not a link; write it 'OWNER > TARGET'",
                "the record that lists the link, ' > ', then the one it names: 'EV-002 > LP-01'",
            )
        by = entry["by"]
        if by not in people:
            where = f"People are defined in {portfolio_rel}"
            close = suggest(by, people)
            report.error(
                doc.span((key, "by")),
                "E201",
                f"unknown person '{by}' in 'by'",
                f"{close} {where}" if close else where,
            )
        date = fields.date(key, "date")
        if match is not None and date is not None:
            owner, target = match.groups()
            reviews.append(m.Review(owner, target, entry["owner"], entry["target"], by, date, span))
    return tuple(reviews)


def check_reviews(portfolio: m.Portfolio, report: Report) -> None:
    """Warn about reviews of links that do not exist (W604) and about suspect links (W603)."""
    for review in portfolio.reviews:
        if link_between(portfolio, review.owner, review.target) is not None:
            continue
        missing = [i for i in (review.owner, review.target) if kind_of(portfolio, i) is None]
        why = (
            f"there is no record '{missing[0]}'"
            if missing
            else f"{review.owner} does not list {review.target}"
        )
        report.warning(
            review.span,
            "W604",
            f"reviewed link {review.owner} > {review.target} does not exist: {why}",
            "remove the line: the link was removed, or an ID is mistyped",
        )
    for suspect in find_suspects(portfolio):
        names = [
            f"{KIND_NAMES[kind]} {record_id}"
            for side, kind, record_id in (
                ("owner", suspect.owner_kind, suspect.owner),
                ("target", suspect.target_kind, suspect.target),
            )
            if suspect.changed in (side, "both")
        ]
        verb = "concerns" if suspect.owner_kind == "finding" else "supports"
        report.warning(
            suspect.span,
            "W603",
            f"link {suspect.key} is suspect: {' and '.join(names)} changed since "
            f"{suspect.by} reviewed it on {suspect.date.isoformat()}",
            f"check that {suspect.owner} still {verb} {suspect.target}, then record the "
            f"review: certfolio review {suspect.owner} --by PERSON",
        )
