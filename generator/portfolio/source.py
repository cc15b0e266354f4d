"""Reading portfolio files as text: size limits, UTF-8 only, no invisible or control characters.

Every file a portfolio is made of passes through `read_text` before any parser sees it, so a
hostile or mis-saved file is refused here with a position a person can open in an editor.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from generator.diagnostics import Report, Span

#: Control characters, NEL, line/paragraph separators, bidi overrides and a stray BOM. Tabs,
#: newlines and carriage returns are allowed here; the parsers judge them in context.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Limits:
    """Caps that keep a hostile file from exhausting time or memory."""

    yaml_bytes: int = 1 << 20
    csv_bytes: int = 16 << 20
    depth: int = 64


DEFAULT_LIMITS = Limits()


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset; CRLF, CR and LF all end a line."""
    line = 1
    start = 0
    for match in _LINE_BREAK.finditer(text, 0, offset):
        line += 1
        start = match.end()
    return line, offset - start + 1


def describe_char(char: str) -> str:
    name = unicodedata.name(char, "control character")
    return f"U+{ord(char):04X} ({name})"


def find_forbidden(text: str) -> tuple[int, str] | None:
    match = FORBIDDEN.search(text)
    return (match.start(), match.group()) if match else None


def decode(data: bytes, rel: str, report: Report) -> str | None:
    """UTF-8 (a leading BOM is dropped) or a diagnostic at the first bad byte.

    Forbidden characters are the parsers' check (`check_text`), so each text is scanned once.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        report.error(
            Span(rel, 1, 1),
            "E003",
            "file is UTF-16 encoded; files must be UTF-8",
            "save the file as UTF-8",
        )
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode("utf-8", errors="replace")
        line, col = position(prefix, len(prefix))
        byte = data[exc.start]
        report.error(
            Span(rel, line, col),
            "E003",
            f"not valid UTF-8: byte 0x{byte:02x}",
            "save the file as UTF-8 (it looks like Latin-1 or Windows-1252)",
        )
        return None
    return text


def check_text(text: str, rel: str, report: Report) -> bool:
    """False, after reporting the first one, when the text holds a forbidden character."""
    found = find_forbidden(text)
    if found is None:
        return True
    offset, char = found
    line, col = position(text, offset)
    report.error(
        Span(rel, line, col),
        "E004",
        f"forbidden character {describe_char(char)}",
        "remove it; invisible and control characters are not allowed",
    )
    return False


def read_text(path: Path, rel: str, limit: int, report: Report) -> str | None:
    """The file's text, or None after reporting why it cannot be used."""
    try:
        size = path.stat().st_size
        if size > limit:
            report.error(
                Span(rel),
                "E002",
                f"file too large ({size} bytes, limit {limit})",
                "split it into smaller files",
            )
            return None
        data = path.read_bytes()
    except OSError as exc:
        report.error(Span(rel), "E001", f"cannot read file: {exc.strerror or exc}")
        return None
    return decode(data, rel, report)
