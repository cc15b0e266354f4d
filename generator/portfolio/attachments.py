"""Attachment paths and link URLs: only regular files inside the portfolio, only safe schemes.

An attachment is published to auditors byte for byte, so the path is judged strictly before
anything is read: relative to the portfolio folder, no '..', no symlink in any component, names
made of letters, digits, spaces and `- _ . + ,` only (nothing a URL, Markdown or HTML reads as
syntax) and none hidden by a leading '.', a regular non-empty file within the size limit, of
an allowed type whose first bytes match its extension.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

from generator import model as m
from generator.diagnostics import Report, Span
from generator.portfolio.source import (
    FORBIDDEN,
    FileTooLarge,
    NotRegularFile,
    read_limited,
)

#: Allowed extensions and the magic bytes their content must start with (None: UTF-8 text).
ALLOWED: dict[str, tuple[bytes, ...] | None] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "odp": (b"PK\x03\x04",),
    "txt": None,
    "md": None,
    "csv": None,
}
#: Characters allowed in a file or folder name besides letters, marks and digits.
NAME_PUNCTUATION = frozenset(" -_.+,")
_MARKUP = re.compile(rb"^\s*<(?:!doctype|html|script|svg|\?xml|iframe)", re.IGNORECASE)
URL_SCHEMES = ("https", "http", "mailto")


def _refuse(report: Report, span: Span, code: str, message: str, hint: str | None = None) -> None:
    report.error(span, code, message, hint)


def path_parts(text: str) -> list[str]:
    """The folder and file names of an attachment path: split at '/', without the empty and
    '.' parts ("./a//b.pdf" names a/b.pdf)."""
    return [p for p in text.split("/") if p not in ("", ".")]


def under_root(text: str) -> str | None:
    """The file an attachment path names under the portfolio folder (`path_parts` joined),
    or None for a path `_check_syntax` refuses before anything is read: with '\\',
    absolute, with '..', or naming no file. Every path validation reads is among those
    this returns (the parse cache checks those files: `results.attachment_paths`)."""
    if text.startswith("/") or "\\" in text:
        return None
    parts = path_parts(text)
    return "/".join(parts) if parts and ".." not in parts else None


def _check_syntax(text: str, span: Span, report: Report) -> list[str] | None:
    if not text.strip():
        _refuse(report, span, "E300", "attachment path is empty")
        return None
    if FORBIDDEN.search(text) or "\t" in text or "\n" in text:
        _refuse(report, span, "E300", f"attachment path {text!r} contains a control character")
        return None
    if "\\" in text:
        _refuse(
            report,
            span,
            "E300",
            f"attachment path '{text}' contains '\\'",
            "use '/' between folders",
        )
        return None
    if text.startswith("/"):
        _refuse(
            report,
            span,
            "E300",
            f"attachment path '{text}' is absolute",
            "write it relative to the portfolio folder, e.g. attachments/report.pdf",
        )
        return None
    parts = text.split("/")
    if ":" in parts[0]:
        _refuse(
            report,
            span,
            "E300",
            f"attachment path '{text}' has a scheme or drive",
            "use 'links' for URLs; attachments are files inside the portfolio",
        )
        return None
    if ".." in parts:
        _refuse(
            report,
            span,
            "E301",
            f"attachment path '{text}': '..' is not allowed",
            "attachments must be inside the portfolio folder",
        )
        return None
    if unicodedata.normalize("NFC", text) != text:
        _refuse(
            report,
            span,
            "E300",
            f"attachment path '{text}' is not in Unicode NFC form",
            "rename the file; some tools decompose accented letters",
        )
        return None
    segments = path_parts(text)
    if not segments:
        _refuse(report, span, "E304", f"attachment path '{text}' is not a file")
        return None
    return segments if all(_check_name(s, text, span, report) for s in segments) else None


def _check_name(segment: str, text: str, span: Span, report: Report) -> bool:
    """A file or folder name that is safe in a URL, in Markdown and in HTML, and not hidden."""
    if segment.startswith("."):
        _refuse(
            report,
            span,
            "E310",
            f"attachment path '{text}': '{segment}' starts with '.'",
            "rename it; hidden files and folders are never published",
        )
        return False
    bad = next(
        (
            c
            for c in segment
            if c not in NAME_PUNCTUATION and unicodedata.category(c)[0] not in "LMN"
        ),
        None,
    )
    if bad is not None or segment != segment.strip():
        what = repr(bad) if bad is not None else "a space at the start or end of a name"
        _refuse(
            report,
            span,
            "E309",
            f"attachment path '{text}' contains {what}",
            "rename the file: names may hold letters, digits, spaces and - _ . + , only",
        )
        return False
    return True


def _check_content(path: Path, rel: str, ext: str, span: Span, limit: int, report: Report) -> bool:
    try:
        head = read_limited(path, limit, head=4096)
    except NotRegularFile:
        _refuse(report, span, "E304", f"attachment '{rel}' is not a regular file")
        return False
    except FileTooLarge:
        _refuse(report, span, "E311", f"attachment '{rel}' is larger than the limit", _LIMIT_HINT)
        return False
    except OSError as exc:
        _refuse(report, span, "E303", f"cannot open attachment '{rel}': {exc.strerror}")
        return False
    if not head:
        _refuse(report, span, "E306", f"attachment '{rel}' is empty")
        return False
    magic = ALLOWED[ext]
    if magic is None:
        if b"\x00" in head or _MARKUP.match(head):
            _refuse(
                report, span, "E305", f"attachment '{rel}' does not look like plain .{ext} text"
            )
            return False
    elif not head.startswith(magic):
        _refuse(
            report,
            span,
            "E305",
            f"attachment '{rel}' is not a real .{ext} file",
            "its first bytes do not match the extension",
        )
        return False
    return True


DEFAULT_LIMIT = m.Config.attachment_mb << 20
_LIMIT_HINT = "raise 'limits.attachment_mb' in portfolio.yaml, or link to the file instead"


def _case_twin(path: Path) -> str | None:
    """A name in the same folder that differs from `path`'s only in letter case."""
    folded = path.name.casefold()
    twins = sorted(n for n in os.listdir(path.parent) if n != path.name and n.casefold() == folded)
    return twins[0] if twins else None


def check_attachment(
    root: Path, text: str, span: Span, report: Report, limit: int = DEFAULT_LIMIT
) -> str | None:
    """The normalised path relative to `root`, or None after reporting why it is refused.

    `limit` is the largest size in bytes (`limits.attachment_mb` of portfolio.yaml).
    """
    segments = _check_syntax(text, span, report)
    if segments is None:
        return None
    rel = "/".join(segments)
    current = root
    for index, segment in enumerate(segments):
        current = current / segment
        where = "/".join(segments[: index + 1])
        try:
            info = os.lstat(current)
            twin = _case_twin(current) if where != rel else None
        except FileNotFoundError:
            _refuse(
                report,
                span,
                "E303",
                f"attachment '{rel}' not found",
                "paths are relative to the portfolio folder",
            )
            return None
        except OSError as exc:
            _refuse(report, span, "E303", f"cannot read attachment '{rel}': {exc.strerror}")
            return None
        if stat.S_ISLNK(info.st_mode):
            what = (
                f"attachment '{rel}' is a symlink"
                if where == rel
                else (f"attachment '{rel}': folder '{where}' is a symlink")
            )
            _refuse(
                report, span, "E302", what, "commit the file itself; symlinks are never published"
            )
            return None
        if twin is not None:
            _refuse(
                report,
                span,
                "E308",
                f"attachment '{rel}': folder '{where}' differs only in letter case from '{twin}'",
                "rename one; they collide on case-insensitive systems",
            )
            return None
    if not stat.S_ISREG(info.st_mode):
        _refuse(report, span, "E304", f"attachment '{rel}' is not a regular file")
        return None
    if info.st_size > limit:
        _refuse(
            report,
            span,
            "E311",
            f"attachment '{rel}' is larger than the limit ({info.st_size} bytes, limit {limit})",
            _LIMIT_HINT,
        )
        return None
    twin = _case_twin(current)
    if twin is not None:
        _refuse(
            report,
            span,
            "E308",
            f"attachment '{rel}' differs only in letter case from '{twin}'",
            "rename one; they collide on case-insensitive systems",
        )
        return None
    ext = current.suffix.lower().lstrip(".")
    if ext not in ALLOWED:
        _refuse(
            report,
            span,
            "E305",
            f"attachment type '.{ext}' is not allowed ('{rel}')",
            f"allowed: {', '.join('.' + e for e in ALLOWED)}",
        )
        return None
    return rel if _check_content(current, rel, ext, span, limit, report) else None


def check_url(url: str, span: Span, report: Report) -> bool:
    """True for an absolute http(s) URL with a host, or a mailto: address."""
    if url != url.strip() or FORBIDDEN.search(url) or any(c.isspace() for c in url):
        report.error(span, "E307", f"link {url!r} contains spaces or control characters")
        return False
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if (
        scheme not in URL_SCHEMES
        or (scheme != "mailto" and not parts.netloc)
        or (scheme == "mailto" and not parts.path)
    ):
        report.error(
            span,
            "E307",
            f"link '{url}' is not an http(s) or mailto address",
            "links must start with https://, http:// or mailto:",
        )
        return False
    return True
