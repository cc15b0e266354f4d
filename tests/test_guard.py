"""The personal-data and secret guard: planted identifiers are found, exactly, and never echoed.

The planted portfolio is the sample (evidence/) with identifiers written into YAML fields, a
CSV note cell, a text attachment, a PDF, an XLSX and a DOCX attachment and a file name, plus
near misses that must stay quiet (a Luhn-failing card, a fødselsnummer with a bad check digit,
an allowlisted address, an example domain).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl
import pytest

from generator.cli import main
from generator.diagnostics import Report, Span, format_report
from generator.portfolio.detect import KINDS, find_sensitive, mask
from generator.portfolio.guard import CODES, guard_portfolio
from generator.portfolio.load import find_files
from generator.portfolio.validate import validate_portfolio
from generator.portfolio.yamlparse import parse_yaml

from .conftest import ROOT, SAMPLE


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF showing `text` in Helvetica, written by hand (offsets and all)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@dataclass(frozen=True)
class Planted:
    value: str  # as written
    code: str
    label: str
    path: str  # as diagnostics show it
    line: int  # 0: a binary attachment, found by page/cell/paragraph
    col: int
    shown: str  # the masked value the message carries


def _position(path: Path, needle: str) -> tuple[int, int]:
    text = path.read_text("utf-8")
    index = text.index(needle)
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


def _add_lines(path: Path, after: str, lines: str) -> None:
    text = path.read_text("utf-8")
    assert after in text
    path.write_text(text.replace(after, after + lines, 1), "utf-8")


CARD_IN_NAME = "5500000000000004"


def plant(root: Path) -> list[Planted]:
    """Plant identifiers and near misses into a copy of the sample; return what must be found."""
    found: list[Planted] = []

    def expect(
        file: str, value: str, code: str, label: str, shown: str, binary: bool = False
    ) -> None:
        line, col = (0, 0) if binary else _position(root / file, value)
        found.append(Planted(value, code, label, f"evidence/{file}", line, col, shown))

    (root / "portfolio.yaml").write_text(
        (root / "portfolio.yaml").read_text("utf-8")
        + "privacy:\n  allow:\n    - value: quality@hlcs.no\n"
        "      reason: the team's shared mailbox, published on purpose\n",
        "utf-8",
    )
    ev = "evidence/EV-011.yaml"
    _add_lines(
        root / ev,
        '    title: "Internal audit IA-2024: summary"\n',
        "  - path: attachments/planted.pdf\n  - path: attachments/planted.xlsx\n"
        "  - path: attachments/planted.docx\n"
        f"  - path: attachments/receipt-{CARD_IN_NAME}.txt\n",
    )
    _add_lines(
        root / ev,
        "  IA-2023 report issued 2023-09-29 (findings closed in 2023); IA-2024 report issued\n",
        "  Refund to card 4111 1111 1111 1111 agreed; NIE X1234567L checked. Not cards: 4111 1111\n"
        "  1111 1112 and 15108695077. Ask quality@hlcs.no or ops@example.com.\n",
    )
    expect(ev, "4111 1111 1111 1111", "E800", "card number", "************1111")
    expect(ev, "X1234567L", "E801", "Spanish NIE", "******67L")
    expect(ev, CARD_IN_NAME, "E800", "card number", "************0004")  # in a file name
    req = "requirements/LP/LP-01.yaml"
    _add_lines(root / req, "id: LP-01\n", "notes: Escalations go to Kari on +47 412 34 567.\n")
    expect(req, "+47 412 34 567", "E804", "phone number", "********567")
    finding = "findings/F-01.yaml"
    _add_lines(
        root / finding,
        "  CAPA-2023-07 was closed on retraining attendance alone: no root-cause analysis and\n",
        "  The shared login (password: Winter2024!) was still in use.\n",
    )
    expect(finding, "Winter2024!", "E805", "password", "********24!")
    csv = root / "metrics" / "M01.csv"
    rows = csv.read_text("utf-8").splitlines()
    rows = [rows[0] + ",note"] + [row + "," for row in rows[1:]]
    rows[3] = rows[3] + "Complaint from customer 15108695088"
    csv.write_text("\n".join(rows) + "\n", "utf-8")
    label = "Norwegian national identity number"
    expect("metrics/M01.csv", "15108695088", "E801", label, "********088")
    txt = root / "attachments" / "EV-011-IA-2024-summary.txt"
    txt.write_text(
        txt.read_text("utf-8") + "Auditee contact: jane.doe@hospital.no\n"
        "-----BEGIN RSA PRIVATE KEY-----\n",
        "utf-8",
    )
    att = "attachments/EV-011-IA-2024-summary.txt"
    expect(att, "jane.doe@hospital.no", "E803", "e-mail address", "****************l.no")
    expect(att, "-----BEGIN RSA PRIVATE KEY-----", "E805", "private key", "*" * 27 + "----")
    (root / "attachments" / f"receipt-{CARD_IN_NAME}.txt").write_text("Refund issued.\n")
    (root / "attachments" / "planted.pdf").write_bytes(minimal_pdf("Customer DNI 12345678Z"))
    expect("attachments/planted.pdf", "12345678Z", "E801", "Spanish DNI", "******78Z", True)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Calls"
    sheet["A1"] = "Refunds"
    sheet["B3"] = "Pay to GB82 WEST 1234 5698 7654 32"
    sheet["C4"] = "55108695071"
    book.save(root / "attachments" / "planted.xlsx")
    xlsx = "attachments/planted.xlsx"
    expect(xlsx, "GB82 WEST 1234 5698 7654 32", "E802", "IBAN", "*" * 18 + "5432", True)
    expect(xlsx, "55108695071", "E801", "Norwegian D-number", "********071", True)
    document = docx.Document()
    document.add_paragraph("Integration notes")
    document.add_paragraph("Key AKIAIOSFODNN7EXAMPLE was used by the dialler.")
    document.save(str(root / "attachments" / "planted.docx"))
    key = "AKIAIOSFODNN7EXAMPLE"
    expect("attachments/planted.docx", key, "E805", "AWS access key", "*" * 16 + "MPLE", True)
    return found


NEAR_MISSES = ("4111 1111 1111 1112", "15108695077", "quality@hlcs.no", "ops@example.com")


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Planted]]:
    root = tmp_path_factory.mktemp("planted") / "evidence"
    shutil.copytree(SAMPLE, root)
    return root, plant(root)


def _guard_diagnostics(root: Path) -> list[tuple[str, str, int, int, str]]:
    _, report = validate_portfolio(root)
    others = [d for d in report.diagnostics if not d.code.startswith("E80")]
    assert others == []  # the planted values broke nothing else
    return sorted(
        (d.code, d.span.path, d.span.line, d.span.col, d.message) for d in report.diagnostics
    )


def test_every_planted_identifier_is_found_and_nothing_else(
    planted: tuple[Path, list[Planted]],
) -> None:
    root, found = planted
    got = _guard_diagnostics(root)
    assert len(got) == len(found)
    for item in found:
        match = [
            g
            for g in got
            if g[:4] == (item.code, item.path, item.line, item.col)
            and g[4].startswith(f"{item.label} '{item.shown}' ")
        ]
        assert match, (item, got)


def test_messages_name_the_field_and_where(planted: tuple[Path, list[Planted]]) -> None:
    messages = {g[4] for g in _guard_diagnostics(planted[0])}
    assert "card number '************1111' in 'notes'" in messages
    assert "card number '************0004' in 'attachments[4].path'" in messages
    assert "Norwegian national identity number '********088' in column 'note'" in messages
    assert "Spanish DNI '******78Z' in page 1" in messages
    assert "IBAN '******************5432' in sheet 'Calls' cell B3" in messages
    assert "AWS access key '****************MPLE' in paragraph 2" in messages
    assert "e-mail address '****************l.no' in the text" in messages


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_no_output_format_carries_a_full_value(
    planted: tuple[Path, list[Planted]],
    fmt: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root, found = planted
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert main(["validate", str(root), "--format", fmt]) == 1
    out = capsys.readouterr()
    assert out.err == ""
    assert "[E800]" in out.out or '"E800"' in out.out or "title=E800" in out.out
    text = out.out + out.err
    for item in found:
        for form in {item.value, item.value.replace(" ", ""), CARD_IN_NAME}:
            assert form not in text
    if fmt == "json":
        document = json.loads(out.out)
        assert document["errors"] == len(found)


def test_the_sample_has_no_hits() -> None:
    _, report = validate_portfolio(SAMPLE)
    assert [d for d in report.diagnostics if d.code.startswith("E80")] == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("paid with 4111-1111-1111-1111", "card"),
        ("amex 3782 822463 10005", "card"),
        ("ticket 4539578763621486", "card"),  # a ticket id that passes Luhn: allow it by hand
        ("4111 1111 1111 1112", None),
        ("1000 2000 3000 4000 5000", None),
        ("fnr 151086 95088", "national-id"),
        ("fnr 15108695077", None),
        ("DNI 12345678Z", "national-id"),
        ("DNI 12345678A", None),
        ("IBAN NO93 8601 1117 947", "iban"),
        ("IBAN NO93 8601 1117 948", None),
        ("jane.doe@hospital.no", "email"),
        ("quality@hlcs.example, ops@example.com, a@sub.example.org", None),
        ("ring 020 7123 4567", "phone"),
        ("fictional 020 7946 0958 and +44 7700 900123 and (415) 555-0123", None),
        ("ghp_" + "a1" * 18, "secret"),
        ("xoxb-1234567890-abcdefghij", "secret"),
        ("https://hooks.slack.com/services/T0000/B0000/" + "x" * 24, "secret"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl", "secret"),
        ("AIza" + "B" * 35, "secret"),
        ("secret=s3cr3t-value", "secret"),
        ("Password: see the vault; password: reset-every-month", None),
        ("period 2024-01 to 2024-12, 2024-06-30 12:30, 9.1.2024, 20240115", None),
        ("calls 120345, 38–52k a month, EV-001, LP-01, v1.2.3, 2023–2024", None),
        ("https://intranet.example.com/reports/2024/1234567", None),
    ],
)
def test_detectors(text: str, kind: str | None) -> None:
    hits = find_sensitive(text, ("GB", "US", "NO"))
    assert [h.kind for h in hits] == ([kind] if kind else [])


def test_masking_keeps_at_most_the_last_four() -> None:
    assert mask("4111111111111111") == "************1111"
    assert mask("12345678Z") == "******78Z"
    assert all(kind in CODES for kind in KINDS)


def _with_privacy(root: Path, section: str) -> None:
    path = root / "portfolio.yaml"
    path.write_text(path.read_text("utf-8") + section, "utf-8")


def test_allowlist_entries_need_a_reason_and_a_target(minimal: Path) -> None:
    _with_privacy(minimal, "privacy:\n  allow:\n    - value: jane@hospital.no\n")
    _, report = validate_portfolio(minimal)
    assert [(d.code, d.message) for d in report.diagnostics] == [
        ("E101", "missing required field 'reason' in 'privacy.allow[0]'")
    ]


def test_allowlist_by_kind_path_and_pattern(minimal: Path) -> None:
    (minimal / "attachments" / "procedure.md").write_text(
        "Call 020 7123 4567 or mail jane@hospital.no, ref GB82 WEST 1234 5698 7654 32.\n"
    )
    _with_privacy(
        minimal,
        "privacy:\n  allow:\n"
        "    - kind: phone\n      path: attachments/*.md\n      reason: the switchboard\n"
        "    - pattern: '[a-z]+@hospital\\.no'\n      reason: the client's public desk\n"
        "    - value: gb82west12345698765432\n      reason: our own account, on invoices\n",
    )
    portfolio, report = validate_portfolio(minimal)
    assert report.diagnostics == []
    assert portfolio is not None
    assert [e.kind for e in portfolio.config.privacy.allow] == ["phone", None, None]


def test_bad_allowlist_entries_and_regions(minimal: Path) -> None:
    _with_privacy(
        minimal,
        "privacy:\n  regions: [GB, QQ]\n  allow:\n"
        "    - path: attachments/*\n      reason: everything\n"
        "    - pattern: '(unclosed'\n      reason: broken\n",
    )
    _, report = validate_portfolio(minimal)
    assert sorted((d.code, d.message) for d in report.diagnostics) == [
        ("E807", "'privacy.allow[0]' needs a 'value', a 'pattern' or a 'kind'"),
        (
            "E807",
            "'privacy.allow[1].pattern' is not a valid regular expression: "
            "missing ), unterminated subpattern",
        ),
        ("E807", "unknown phone region 'QQ' in 'privacy.regions'"),
    ]


def test_regions_follow_language_sites_and_setting(minimal: Path) -> None:
    portfolio, _ = validate_portfolio(minimal)
    assert portfolio is not None and portfolio.config.privacy.regions == ("GB", "US")
    _with_privacy(minimal, "privacy:\n  regions: [NO]\n")
    (minimal / "attachments" / "procedure.md").write_text("Ring 412 34 567 or 020 7123 4567.\n")
    _, report = validate_portfolio(minimal)
    assert [d.message for d in report.diagnostics] == ["phone number '********567' in the text"]


def test_a_damaged_pdf_cannot_hide_its_text(minimal: Path) -> None:
    (minimal / "attachments" / "scan.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Cat")
    _add_lines(
        minimal / "evidence" / "EV-01.yaml",
        "  - path: attachments/procedure.md\n",
        "  - path: attachments/scan.pdf\n",
    )
    _, report = validate_portfolio(minimal)
    assert [(d.code, d.span.path) for d in report.diagnostics] == [
        ("E806", "evidence/attachments/scan.pdf")
    ]


def test_keys_and_masked_paths(minimal: Path) -> None:
    """A key is scanned too, and a path holding an identifier is masked in the diagnostic."""
    folder = minimal / "metrics" / "4111111111111111"
    folder.mkdir()
    doc = parse_yaml('free:\n  "jane@hospital.no": 1\n', "evidence/x.yaml", Report())
    assert doc is not None
    report = Report()
    files = find_files(minimal, report)
    portfolio, _ = validate_portfolio(minimal)
    assert portfolio is not None
    guard_portfolio(files, portfolio.config, [doc], report)
    assert [(d.span, d.message) for d in report.diagnostics] == [
        (Span("evidence/x.yaml", 2, 3), "e-mail address '************l.no' in a key of 'free'")
    ]
    table = folder / "M9.csv"
    table.write_text("period,value,note\n2024-01,1,Jane jane@hospital.no\n")
    report = Report()
    guard_portfolio(find_files(minimal, Report()), portfolio.config, [], report)
    shown = sorted((str(d.span), d.message) for d in report.diagnostics)
    assert shown == [
        ("evidence/metrics/************1111", "card number '************1111' in the folder name"),
        (
            "evidence/metrics/************1111/M9.csv:2:16",
            "e-mail address '************l.no' in column 'note'",
        ),
    ]


def test_the_docs_list_what_is_scanned() -> None:
    text = (ROOT / "docs" / "format.md").read_text("utf-8")
    for word in ("`privacy`", "PDF", "XLSX", "DOCX", "not scanned"):
        assert word in text


def test_a_flagged_value_is_masked_in_every_other_diagnostic(tmp_path: Path) -> None:
    """An identifier typed where an ID belongs is flagged, and the unknown-ID error that
    quotes it shows it masked too: no line of any output holds the full value."""
    root = tmp_path / "evidence"
    shutil.copytree(SAMPLE, root)
    item = root / "evidence" / "EV-002.yaml"
    text = item.read_text("utf-8")
    item.write_text(
        text.replace("supports: [LP-01, PE-09]", "supports: [LP-01, '4111111111111111']")
    )
    code = main(["validate", str(root), "--format", "json"])
    assert code == 1
    _, report = validate_portfolio(root)
    codes = {d.code for d in report.diagnostics}
    assert "E800" in codes and len(codes) > 1
    for fmt in ("text", "json", "github"):
        assert "4111111111111111" not in format_report(report, fmt)
