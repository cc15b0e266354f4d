"""Reading portfolio files as text: size limits, UTF-8 only, no invisible or control characters.

Every file a portfolio is made of passes through `read_text` before any parser sees it, so a
hostile or mis-saved file is refused here with a position a person can open in an editor.
Every read goes through `read_limited`: it never follows a symlink, never blocks on a FIFO,
accepts only regular files (judged on the open descriptor) and stops at the size limit while
reading, so a device or a file that lies about its size cannot exhaust memory.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from generator.diagnostics import Report, Span

#: Control characters, NEL, line/paragraph separators, a stray BOM, lone surrogates and every
#: Unicode format character (category Cf: soft hyphen, zero-width space, bidi marks and
#: overrides, word joiner, invisible operators, tag characters ...) except the zero-width
#: joiner and non-joiner, which emoji sequences and Persian or Indic text need in free text
#: (`values` refuses them in IDs and one-line fields). Tabs, newlines and carriage returns are
#: allowed here; the parsers judge them in context. A test keeps the list in step with Cf.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f"
    "\u0890\u0891\u08e2\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f\ufeff"
    "\ufff9-\ufffb\ud800-\udfff\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Limits:
    """Caps that keep a hostile file from exhausting time or memory."""

    yaml_bytes: int = 1 << 20
    csv_bytes: int = 16 << 20
    depth: int = 64
    line_chars: int = 300  # a title, name or other one-line text field
    address_chars: int = 2000  # a link's URL or an attachment's path
    text_chars: int = 10_000  # free text: description, notes, wording ...
    magnitude: int = 10**12  # the largest |number| statistics and charts are asked to handle
    count: int = 1_000_000_000  # the largest sample size or count (n, promoters ...)


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


class NotRegularFile(OSError):
    """Raised by `read_limited` for a FIFO, device, socket or folder; `read_text` and the
    attachment checks report it, the site build lets the CLI print it with its path."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(errno.EINVAL, f"not a regular file ({kind})", str(path))
        self.kind = kind


class FileTooLarge(OSError):
    """Raised by `read_limited` when a file holds more than the limit; caught like
    `NotRegularFile`."""


#: Never follow a symlink, never wait for a FIFO's writer (flags absent on a platform are 0).
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_BINARY", 0)
)


def file_kind(mode: int) -> str:
    """'a FIFO', 'a character device' ... for a mode that is not a regular file's."""
    kinds = (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISLNK, "a symlink"),
    )
    return next((name for test, name in kinds if test(mode)), "a special file")


def read_limited(path: Path, limit: int, head: int | None = None) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them (or its first `head`).

    Raises `NotRegularFile`, `FileTooLarge` or the `OSError` of the open (`ELOOP` for a
    symlink), each carrying the path.
    """
    fd = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(path, file_kind(info.st_mode))
        if info.st_size > limit:
            raise FileTooLarge(
                errno.EFBIG, f"file too large ({info.st_size} bytes, limit {limit})", str(path)
            )
        # the size said so far may be wrong (/proc, a growing file): the read is bounded too
        wanted = limit + 1 if head is None else min(head, limit + 1)
        chunks: list[bytes] = []
        while wanted > 0:
            chunk = os.read(fd, min(wanted, max(info.st_size + 1, 1 << 16)))
            if not chunk:
                break
            chunks.append(chunk)
            wanted -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise FileTooLarge(errno.EFBIG, f"file too large (more than {limit} bytes)", str(path))
    return data


def read_text(path: Path, rel: str, limit: int, report: Report) -> str | None:
    """The file's text, or None after reporting why it cannot be used."""
    try:
        data = read_limited(path, limit)
    except NotRegularFile as exc:
        report.error(
            Span(rel),
            "E005",
            f"'{rel}' is not a regular file ({exc.kind})",
            "only regular files are read; remove it or replace it with the file itself",
        )
        return None
    except FileTooLarge as exc:
        report.error(
            Span(rel), "E002", exc.strerror or "file too large", "split it into smaller files"
        )
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            report.error(
                Span(rel),
                "E302",
                f"'{rel}' is a symlink",
                "commit the file itself; symlinks are never read or published",
            )
        else:
            report.error(Span(rel), "E001", f"cannot read file: {exc.strerror or exc}")
        return None
    return decode(data, rel, report)
