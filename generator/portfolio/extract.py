"""The text inside binary attachments, so the guard can scan it: PDF, XLSX and DOCX.

PDF pages come from pypdf, XLSX cells from openpyxl (read-only, cached values), DOCX
paragraphs, tables, headers, footers and document properties from python-docx. Each piece of
text comes with where it was found ("page 2", "sheet 'Calls' cell B4" ...). The libraries are
imported only when such an attachment is scanned. Other binary types (images, PPTX,
OpenDocument) are not read here; docs/format.md lists them as not scanned.
"""

from __future__ import annotations

import io
import logging
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: An OOXML attachment expanding beyond this is refused rather than unpacked (a zip bomb).
MAX_EXPANDED = 256 << 20
#: Text extracted from one attachment beyond this is refused rather than scanned.
MAX_CHARS = 32 << 20

Pieces = list[tuple[str, str]]


class Unreadable(Exception):
    """Raised by `extract_text` when an attachment's text cannot be had (encrypted, damaged,
    too large once unpacked); `guard` reports it as E806 and carries on."""


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence the libraries' warnings and log lines about odd files while they read one."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise Unreadable(f"not a valid zip container ({exc})") from exc
    if expanded > MAX_EXPANDED:
        raise Unreadable(f"it expands to {expanded} bytes (limit {MAX_EXPANDED})")


def _pdf(data: bytes) -> Pieces:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise Unreadable("it is encrypted with a password")
    return [(f"page {n}", page.extract_text() or "") for n, page in enumerate(reader.pages, 1)]


def _cell_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1_000_000:
        return str(value)  # a card or phone number typed as a number
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1_000_000:
        return str(int(value))
    return None


def _xlsx(data: bytes) -> Pieces:
    from openpyxl import load_workbook
    from openpyxl.cell.read_only import EmptyCell

    _check_zip(data)
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    pieces: Pieces = []
    try:
        for sheet in book.worksheets:
            pieces.append((f"the name of sheet {len(pieces) + 1}", sheet.title))
            for row in sheet.iter_rows():
                for cell in row:
                    text = None if isinstance(cell, EmptyCell) else _cell_text(cell.value)
                    if text:
                        pieces.append((f"sheet '{sheet.title}' cell {cell.coordinate}", text))
    finally:
        book.close()
    return pieces


def _docx(data: bytes) -> Pieces:
    from docx import Document

    _check_zip(data)
    document = Document(io.BytesIO(data))
    pieces: Pieces = [
        (f"paragraph {n}", p.text) for n, p in enumerate(document.paragraphs, 1) if p.text
    ]
    for t, table in enumerate(document.tables, 1):
        for r, row in enumerate(table.rows, 1):
            seen = set()
            for c, cell in enumerate(row.cells, 1):
                if id(cell._tc) not in seen and cell.text:  # merged cells repeat
                    pieces.append((f"table {t} row {r} cell {c}", cell.text))
                seen.add(id(cell._tc))
    for s, section in enumerate(document.sections, 1):
        for name, part in (("header", section.header), ("footer", section.footer)):
            text = "\n".join(p.text for p in part.paragraphs)
            if text.strip():
                pieces.append((f"the {name} of section {s}", text))
    props = document.core_properties
    for name in ("author", "title", "subject", "comments", "keywords", "last_modified_by"):
        value = getattr(props, name)
        if value:
            pieces.append((f"document property '{name}'", value))
    return pieces


EXTRACTORS: dict[str, Callable[[bytes], Pieces]] = {"pdf": _pdf, "xlsx": _xlsx, "docx": _docx}


def extract_text(ext: str, data: bytes) -> Pieces:
    """The pieces of text in an attachment of type `ext` (a key of EXTRACTORS).

    Raises `Unreadable` for any file the library cannot read: the bytes are a contributor's,
    and pypdf, openpyxl and python-docx each raise their own zoo of exceptions on damaged input.
    """
    try:
        with _quiet():
            pieces = EXTRACTORS[ext](data)
    except Unreadable:
        raise
    except Exception as exc:  # any failure inside a third-party parser of untrusted bytes
        raise Unreadable(f"{type(exc).__name__}: {str(exc)[:120]}") from exc
    if sum(len(text) for _, text in pieces) > MAX_CHARS:
        raise Unreadable(f"it holds more than {MAX_CHARS} characters of text")
    return pieces
