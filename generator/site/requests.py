"""The auditor request list: per requirement, the evidence an auditor would ask to see.

One row per requirement and evidence item supporting it (a requirement with none gets one
row without an item, its freshness "no evidence"): the item, its type, owner, where it is
(attachment paths, links, the system it lives in), the version and date in force as of the
assessment date, its freshness, and an empty "seen" column for the auditor to tick. The same
rows are the page `requests.md` and the downloads `requests.csv` and `requests.xlsx`; values
are the portfolio's own (type and freshness as the evidence files and `certfolio assess`
write them).

No cell of the CSV starts a spreadsheet formula: a value starting with `=`, `+`, `-`, `@`, a
tab or a carriage return gets a leading `'`. The workbook holds every value as text (never a
formula) and is deterministic: fixed document properties, the build's date (the commit's),
and fixed ZIP entry times, so the same commit gives the same bytes.

The page also shows the auditor's own requests (`requests.yaml`), each answered, open or
overdue as of the assessment date (`assess.requests`); the workbook has them on a second sheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from generator import model as m
from generator.assess.requests import RequestStatus, request_statuses
from generator.assess.status import Assessment
from generator.portfolio.series import FORMULA_START  # what validation refuses in data cells
from generator.site import paging
from generator.site.coverage import split

COLUMNS = (
    "requirement",
    "requirement_title",
    "item",
    "item_title",
    "type",
    "owner",
    "location",
    "version",
    "date",
    "freshness",
    "seen",
)
REQUEST_COLUMNS = (
    "request",
    "text",
    "requirement",
    "requested",
    "due",
    "evidence",
    "answered",
    "state",
)
#: The ZIP entry time of every part of the workbook (the earliest a ZIP can hold).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Row:
    """One line of the request list: a requirement and one item supporting it (or none)."""

    requirement: m.Requirement
    evidence: m.Evidence | None
    version: str | None  # in force as of the assessment date
    date: dt.date | None
    freshness: str  # the item's freshness state, or "no evidence"

    @property
    def locations(self) -> list[tuple[str, str, str | None]]:
        """Where the item is: ("attachment", path, title), ("link", url, title) and
        ("system", location, None), in that order."""
        e = self.evidence
        if e is None:
            return []
        found = [("attachment", a.path, a.title) for a in e.attachments]
        found += [("link", x.url, x.title) for x in e.links]
        return found + ([("system", e.location, None)] if e.location else [])


def in_force(item: m.Evidence, as_of: dt.date) -> tuple[str | None, dt.date]:
    """The version and date of `item` in force on `as_of`: the current one, or the latest
    earlier version (`history`) issued by then; the current one when none was."""
    if item.date <= as_of:
        return item.version, item.date
    earlier = [v for v in item.history if v.date <= as_of]
    if not earlier:
        return item.version, item.date
    latest = max(earlier, key=lambda v: v.date)
    return latest.version, latest.date


def rows(assessment: Assessment) -> list[Row]:
    """The request list, requirement by requirement in the register's order."""
    portfolio = assessment.portfolio
    found: list[Row] = []
    for rid, status in assessment.requirements.items():
        requirement = status.requirement
        items = portfolio.evidence_for(rid)
        if not items:
            found.append(Row(requirement, None, None, None, "no evidence"))
        for eid in items:
            item = portfolio.evidence[eid]
            version, date = in_force(item, assessment.as_of)
            found.append(Row(requirement, item, version, date, assessment.evidence[eid].state))
    return found


def people(portfolio: m.Portfolio) -> dict[str, str]:
    """How an owner is shown: "Role (Name)", or the role alone."""
    return {p.id: f"{p.role} ({p.name})" if p.name else p.role for p in portfolio.config.people}


def cells(row: Row, owners: dict[str, str]) -> list[str]:
    """The row's values as text, in `COLUMNS` order ("seen" is empty)."""
    e = row.evidence
    where = "; ".join(value for _, value, _ in row.locations)
    return [
        row.requirement.id,
        row.requirement.title,
        e.id if e else "",
        e.title if e else "",
        e.type if e else "",
        owners.get(e.owner, e.owner) if e else "",
        where,
        row.version or "",
        row.date.isoformat() if row.date else "",
        row.freshness,
        "",
    ]


def request_cells(status: RequestStatus) -> list[str]:
    """An auditor's request as text, in `REQUEST_COLUMNS` order."""
    r = status.request
    return [
        r.id,
        r.text,
        r.requirement or "",
        r.requested.isoformat() if r.requested else "",
        r.due.isoformat() if r.due else "",
        ", ".join(r.evidence),
        r.answered.isoformat() if r.answered else "",
        status.state.value,
    ]


def inert(value: str) -> str:
    """`value` as a spreadsheet reads it as text: a leading `'` when it would start a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def table(assessment: Assessment) -> list[list[str]]:
    """The header and every row of the request list, as text."""
    owners = people(assessment.portfolio)
    return [list(COLUMNS), *(cells(r, owners) for r in rows(assessment))]


def to_csv(assessment: Assessment, lines: Sequence[Sequence[str]] | None = None) -> bytes:
    """`requests.csv`: UTF-8, comma-separated, one header line (`lines`: `table`'s)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for line in table(assessment) if lines is None else lines:
        writer.writerow([inert(value) for value in line])
    return out.getvalue().encode("utf-8")


def _sheet(sheet: Any, lines: Sequence[Sequence[str]]) -> None:
    """`lines` on a write-only sheet (a third of the time of a full one, at full scale): the
    first in bold and frozen, a filter over all, each column as wide as its longest value
    (6 to 60 characters), and every value text, even one that looks like a formula."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    columns = max(map(len, lines), default=0)
    for k in range(columns):
        width = max(len(line[k]) for line in lines if k < len(line))
        sheet.column_dimensions[get_column_letter(k + 1)].width = min(max(width, 6) + 2, 60)
    sheet.freeze_panes = "A2"
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{len(lines)}"
    bold = Font(bold=True)

    def text(value: str, font: Font | None = None) -> Any:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # openpyxl reads `=…` as a formula and `#…` as an error code
        if font is not None:
            cell.font = font
        return cell

    for number, line in enumerate(lines):
        if number == 0:
            sheet.append([text(value, bold) for value in line])
        else:
            sheet.append([text(v) if v.startswith(("=", "#")) else v for v in line])


def to_xlsx(
    assessment: Assessment,
    title: str,
    built: dt.datetime,
    lines: Sequence[Sequence[str]] | None = None,
) -> bytes:
    """`requests.xlsx`: the request list on its first sheet, the auditor's requests (when
    there are any) on the second; the same bytes for the same inputs and `built` time."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook(write_only=True)
    _sheet(book.create_sheet("requests"), table(assessment) if lines is None else lines)
    statuses = request_statuses(assessment.portfolio, assessment.as_of)
    if statuses:
        _sheet(book.create_sheet("auditor"), [REQUEST_COLUMNS, *map(request_cells, statuses)])
    stamp = built.replace(tzinfo=None, microsecond=0)
    props = book.properties
    props.creator, props.lastModifiedBy, props.title = "certfolio", "certfolio", title
    props.created = props.modified = stamp
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED) as archive:  # compressed once, below
        ExcelWriter(book, archive).write_data()
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w") as target:
        for name in source.namelist():
            entry = zipfile.ZipInfo(name, _ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(name))
    return fixed.getvalue()


def files(assessment: Assessment, title: str, epoch: int) -> dict[str, bytes]:
    """The downloads, by path from the site root."""
    built = dt.datetime.fromtimestamp(epoch, dt.UTC)
    lines = table(assessment)
    return {
        "requests.csv": to_csv(assessment, lines),
        "requests.xlsx": to_xlsx(assessment, title, built, lines),
    }


def render(book: paging.Book, assessment: Assessment, title: str) -> None:
    """`requests.md`: the auditor's requests and the list; split into `requests/N.md`
    pages when the list is long (its index keeps the auditor's requests)."""
    found = rows(assessment)
    statuses = request_statuses(assessment.portfolio, assessment.as_of)
    groups: dict[str, list[Row]] = {}
    for row in found:
        groups.setdefault(row.requirement.id, []).append(row)

    def context(run: Sequence[list[Row]]) -> dict[str, Any]:
        return {"groups": run, "requests": statuses}

    def label(group: list[Row]) -> str:
        return group[0].requirement.id

    split(book, "requests.md", title, "requests.md.j2", list(groups.values()), context, label)
