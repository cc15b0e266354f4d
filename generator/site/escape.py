"""Turning user text into inert Markdown: what people typed is shown, never interpreted.

Jinja's autoescape does not make text safe inside Markdown (links, `{ onclick=... }`, a `|` in a
table cell all stay live; see tests/test_escape.py). Every string from evidence files therefore goes
through one of these before it enters a page:

- `md_inline`: one line of text. Markdown's escapable characters get a backslash, `&`, `<`, `>`
  and `"` become entities, and line breaks become `<br>`: the visible text equals the input.
- `md_cell`: the same, for a table cell (a `|` stays text, the row stays one row).
- `md_block`: several paragraphs (blank lines separate them).
- `attr`: a value inside an HTML attribute (URLs were validated as http(s)/mailto already).
- `url_path`: a site-relative path inside a link target: every character outside letters,
  digits and `-._~/` is percent-encoded, so a file name can never close the link or add markup.

The character set is Python-Markdown's `ESCAPED_CHARS` for the extensions mkdocs.yml enables
(the defaults plus `|` from `tables`); escaping any other character would leave a visible
backslash. A test renders hostile text through the real configuration to keep this true.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

#: Python-Markdown's default escapable characters plus '|' (tables).
MARKDOWN_CHARS = frozenset("\\`*_{}[]()#+-.!|")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _escape_char(char: str) -> str:
    if char in _ENTITIES:
        return _ENTITIES[char]
    if char in MARKDOWN_CHARS:
        return "\\" + char
    if char == "\t":
        return " "
    return char


#: `_escape_char` for every character it changes, as a `str.translate` table.
_ESCAPES = {ord(c): _escape_char(c) for c in [*_ENTITIES, *MARKDOWN_CHARS, "\t"]}


def md_inline(text: object) -> str:
    """Inert inline Markdown for `text`; line breaks become `<br>`."""
    value = "" if text is None else str(text)
    lines = _LINE_BREAK.split(value.strip("\r\n"))
    return "<br>".join(line.translate(_ESCAPES) for line in lines)


def md_cell(text: object) -> str:
    """Inert text for a Markdown table cell; an empty value shows as an en dash."""
    value = md_inline(text)
    return value if value.strip() else "–"


def md_block(text: object) -> str:
    """Inert paragraphs: blank lines separate paragraphs, single line breaks stay breaks."""
    value = "" if text is None else str(text).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [p.strip() for p in _BLANK_LINE.split(value.strip())]
    return "\n\n".join(md_inline(p) for p in paragraphs if p)


def attr(text: object) -> str:
    """A value for a double-quoted HTML attribute."""
    return html.escape("" if text is None else str(text), quote=True)


def url_path(path: object) -> str:
    """A relative path as a link target: percent-encoded, '/' kept (MkDocs decodes it back)."""
    return quote("" if path is None else str(path), safe="/")
