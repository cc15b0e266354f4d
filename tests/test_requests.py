"""The auditor request list (issue 14): per requirement, the evidence an auditor would ask to
see, as a page and as CSV and XLSX downloads; and the auditor's own requests (requests.yaml)
with their states as of the portfolio's as_of date."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from generator import model as m
from generator.assess.requests import RequestState, request_state, request_statuses
from generator.assess.status import Assessment, assess_portfolio
from generator.diagnostics import Level, Report
from generator.portfolio.validate import validate_portfolio
from generator.site import render, requests
from generator.site.render import default_templates

from .conftest import SAMPLE, copy_portfolio
from .test_split_registers import _data

EPOCH = 1736899200  # 2025-01-15T00:00:00Z


def _assessed(root: Path) -> tuple[m.Portfolio, Assessment]:
    portfolio, report = validate_portfolio(root, Report())
    assert portfolio is not None, report.sorted()[:3]
    return portfolio, assess_portfolio(portfolio)


def _expected(portfolio: m.Portfolio) -> list[list[str]]:
    """The request list computed from the portfolio alone: every requirement in ID order,
    each evidence item supporting it in ID order (one empty row when none does)."""
    assessment = assess_portfolio(portfolio)
    people = {p.id: f"{p.role} ({p.name})" if p.name else p.role for p in portfolio.config.people}
    rows = []
    for rid in sorted(portfolio.requirements):
        requirement = portfolio.requirements[rid]
        items = sorted(e.id for e in portfolio.evidence.values() if rid in e.supports)
        if not items:
            rows.append([rid, requirement.title, *[""] * 7, "no evidence", ""])
        for eid in items:
            e = portfolio.evidence[eid]
            assert e.date <= portfolio.config.as_of  # so the current version is in force
            where = [a.path for a in e.attachments] + [x.url for x in e.links]
            where += [e.location] if e.location else []
            rows.append(
                [
                    rid,
                    requirement.title,
                    eid,
                    e.title,
                    e.type,
                    people[e.owner],
                    "; ".join(where),
                    e.version or "",
                    e.date.isoformat(),
                    str(assessment.evidence[eid].state),
                    "",
                ]
            )
    return rows


def test_the_csv_round_trips_to_the_portfolio_s_evidence() -> None:
    portfolio, assessment = _assessed(SAMPLE)
    files = requests.files(assessment, "t", EPOCH)
    text = files["requests.csv"].decode("utf-8")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == [
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
    ]
    expected = _expected(portfolio)
    assert lines[1:] == expected
    supported = sum(len(e.supports) for e in portfolio.evidence.values())
    assert len(expected) >= supported  # every link between a requirement and an item is a row
    assert {row[0] for row in lines[1:]} == set(portfolio.requirements)
    assert all(row[-1] == "" for row in lines[1:])  # the "seen" column is empty


def test_the_workbook_has_the_same_rows_and_the_same_bytes_every_time() -> None:
    _, assessment = _assessed(SAMPLE)
    first = requests.files(assessment, "t", EPOCH)
    time.sleep(2.1)  # a ZIP stores times in 2-second steps: a clock would show
    again = requests.files(assessment, "t", EPOCH)
    assert first["requests.xlsx"] == again["requests.xlsx"]
    assert first["requests.csv"] == again["requests.csv"]
    archive = zipfile.ZipFile(io.BytesIO(first["requests.xlsx"]))
    assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = archive.read("docProps/core.xml").decode()
    assert "2025-01-15T00:00:00Z" in core and "certfolio" in core
    book = openpyxl.load_workbook(io.BytesIO(first["requests.xlsx"]))
    assert book.sheetnames == ["requests", "auditor"]
    rows = [
        ["" if v is None else v for v in r] for r in book["requests"].iter_rows(values_only=True)
    ]
    csv_rows = list(csv.reader(io.StringIO(first["requests.csv"].decode())))
    assert rows == csv_rows
    auditor = list(book["auditor"].iter_rows(values_only=True))
    assert auditor[0][0] == "request" and [r[0] for r in auditor[1:]] == [
        "RQ-01",
        "RQ-02",
        "RQ-03",
        "RQ-04",
    ]


def test_no_cell_starts_a_spreadsheet_formula(minimal: Path) -> None:
    path = minimal / "evidence" / "EV-01.yaml"
    text = path.read_text("utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    path.write_text(text.replace(title, 'title: \'=HYPERLINK("https://example.com","x")\''))
    _, assessment = _assessed(minimal)
    files = requests.files(assessment, "t", EPOCH)
    lines = list(csv.reader(io.StringIO(files["requests.csv"].decode())))
    cells = [cell for line in lines for cell in line]
    assert '\'=HYPERLINK("https://example.com","x")' in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    sheet = openpyxl.load_workbook(io.BytesIO(files["requests.xlsx"]))["requests"]
    found = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=HYPER")]
    assert found and all(c.data_type == "s" for c in found)  # text, never a formula


def test_the_workbook_reads_like_a_list(minimal: Path) -> None:
    path = minimal / "evidence" / "EV-01.yaml"
    text = path.read_text("utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    path.write_text(text.replace(title, "title: '#N/A'"))  # an error code, kept as text
    _, assessment = _assessed(minimal)
    files = requests.files(assessment, "t", EPOCH)
    lines = list(csv.reader(io.StringIO(files["requests.csv"].decode())))
    sheet = openpyxl.load_workbook(io.BytesIO(files["requests.xlsx"]))["requests"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{chr(ord('A') + len(lines[0]) - 1)}{len(lines)}"
    assert all(cell.font.b for cell in sheet[1]) and not any(c.font.b for c in sheet[2])
    for k, letter in enumerate("ABCDEFGHIJK"[: len(lines[0])]):
        longest = max(len(line[k]) for line in lines)
        assert sheet.column_dimensions[letter].width == min(max(longest, 6) + 2, 60), letter
    found = [c for row in sheet.iter_rows() for c in row if c.value == "#N/A"]
    assert found and all(c.data_type == "s" for c in found)


def test_the_page_lists_the_evidence_per_requirement() -> None:
    pages = render.render_pages(_data(SAMPLE), [default_templates()])
    page = pages["requests.md"]
    assert "[Download the list (CSV)](requests.csv)" in page
    assert "[Download the list (Excel)](requests.xlsx)" in page
    table = page.split("## Evidence per requirement", 1)[1]
    portfolio, _ = _assessed(SAMPLE)
    for e in portfolio.evidence.values():
        assert table.count(f"(evidence/{e.id}.md)") == len(e.supports), e.id
    assert "(files/attachments/EV-001-mission-vision.md)" in table
    assert "| Seen |" in table


def test_the_auditor_s_requests_and_their_states() -> None:
    portfolio, _ = _assessed(SAMPLE)
    states = {s.request.id: s.state for s in request_statuses(portfolio, portfolio.config.as_of)}
    assert states == {
        "RQ-01": RequestState.ANSWERED,  # evidence and an answered date before as_of
        "RQ-02": RequestState.ANSWERED,  # evidence, no answered date
        "RQ-03": RequestState.OVERDUE,  # no evidence, due 2025-01-14 < as_of 2025-01-15
        "RQ-04": RequestState.OPEN,  # no evidence, due 2025-01-27
    }
    page = render.render_pages(_data(SAMPLE), [default_templates()])["requests.md"]
    section = page.split("## The auditor's requests", 1)[1].split("## Evidence", 1)[0]
    for rid, state in states.items():
        line = next(x for x in section.splitlines() if f"RQ\\-{rid[3:]}</span>" in x)
        assert f"cf-{state}" in line, rid
    assert '<span class="cf-status cf-answered">✔ answered</span>: 2' in section
    # a day earlier RQ-03 was still open; on its due day a request is not yet overdue
    before = {s.request.id: s.state for s in request_statuses(portfolio, dt.date(2025, 1, 14))}
    assert before["RQ-03"] is RequestState.OPEN


def _request(**changes: object) -> m.AuditRequest:
    base: dict[str, object] = {
        "id": "RQ-9",
        "text": "t",
        "requirement": None,
        "requested": None,
        "due": dt.date(2025, 1, 10),
        "evidence": ("EV-01",),
        "answered": None,
        "notes": None,
        "span": None,
    }
    return m.AuditRequest(**{**base, **changes})


def test_a_request_is_answered_only_by_evidence_issued_by_the_date(minimal: Path) -> None:
    portfolio, _ = _assessed(minimal)
    issued = portfolio.evidence["EV-01"].date
    state = request_state
    ev = portfolio.evidence
    assert state(_request(), ev, issued) is RequestState.ANSWERED
    day_before = issued - dt.timedelta(days=1)
    assert state(_request(due=None), ev, day_before) is RequestState.OPEN  # not issued yet
    later = _request(answered=issued + dt.timedelta(days=3))
    assert state(later, ev, issued) is not RequestState.ANSWERED  # answered after the date
    assert state(_request(evidence=()), ev, dt.date(2025, 1, 11)) is RequestState.OVERDUE
    assert state(_request(evidence=()), ev, dt.date(2025, 1, 10)) is RequestState.OPEN


def test_requests_yaml_is_validated_with_positions(minimal: Path) -> None:
    (minimal / "requests.yaml").write_text(
        "requests:\n"
        "  - id: RQ-1\n"
        "    text: Show the procedure.\n"
        "    requirement: AA-09\n"
        "    evidence: [EV-99]\n"
        "  - id: RQ-1\n"
        "    text: Again.\n"
        "    requested: 2024-05-02\n"
        "    due: 2024-05-01\n"
        "    answered: 2024-05-03\n",
        "utf-8",
    )
    portfolio, report = validate_portfolio(minimal, Report())
    assert portfolio is None
    found = {
        (d.code, d.span.line, d.span.col)
        for d in report.diagnostics
        if d.level is Level.ERROR and d.span.path == "evidence/requests.yaml"
    }
    assert found == {
        ("E201", 4, 18),  # unknown requirement
        ("E201", 5, 16),  # unknown evidence item
        ("E200", 6, 9),  # the ID twice
        ("E401", 9, 10),  # due before requested
        ("E106", 10, 15),  # answered, but no evidence
    }
    assert report.files == 11  # the minimal portfolio's 10 files and requests.yaml


def test_a_request_list_with_personal_data_is_refused(minimal: Path) -> None:
    (minimal / "requests.yaml").write_text(
        "requests:\n  - id: RQ-1\n    text: Call the auditor on +47 412 34 567.\n", "utf-8"
    )
    portfolio, report = validate_portfolio(minimal, Report())
    assert portfolio is None
    assert [d.code for d in report.diagnostics if d.level is Level.ERROR] == ["E804"]


@pytest.mark.parametrize("language", ["nb", "es"])
def test_the_page_speaks_the_portfolio_s_language(tmp_path: Path, language: str) -> None:
    root = copy_portfolio(SAMPLE, tmp_path / "evidence")
    text = (root / "portfolio.yaml").read_text("utf-8")
    (root / "portfolio.yaml").write_text(text.replace("language: en", f"language: {language}"))
    pages = render.render_pages(_data(root), [default_templates()])
    words = {
        "nb": ("Revisors forespørselsliste", "besvart"),
        "es": ("Lista de solicitudes", "respondida"),
    }
    heading, answered = words[language]
    assert heading in pages["requests.md"] and answered in pages["requests.md"]
    assert "Dekning" in pages["coverage/index.md"] or "Cobertura" in pages["coverage/index.md"]


def test_the_site_publishes_the_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.site import build

    monkeypatch.setattr(build.chartcache, "render_charts", lambda specs, **_: {})  # not needed
    site, _ = build.generate_site(SAMPLE)
    assert site is not None
    _, assessment = _assessed(SAMPLE)
    title = assessment.portfolio.config.title
    expected = requests.files(assessment, title, site.source.epoch)
    assert site.files["requests.csv"] == expected["requests.csv"]
    assert site.files["requests.xlsx"] == expected["requests.xlsx"]
    assert "requests.md" in site.pages and "coverage/ISO-18295-1.md" in site.pages
