"""What a JSON Schema cannot say about a document's values: exact patterns, text rules, ranges.

Run on every YAML file after its schema check passed:

- a value with a schema `pattern` (IDs, dates, months) must match it *whole*: JSON Schema
  validators use `re.search`, where `$` also matches before a final newline, so `"LP\\n"`
  would pass as an ID (E104);
- free text (`description`, `notes`, `wording` ...) holds at most `Limits.text_chars`
  characters; every other text is one line (no line break or tab, E021) of at most
  `Limits.line_chars` (`Limits.address_chars` for a URL or an attachment path; E020), with no
  invisible character, not even the zero-width joiner that free text may use in emoji (E004);
- a number is at most `Limits.magnitude` in size (E105), which statistics and charts handle;
- the IDs of one list in portfolio.yaml do not differ only in letter case (E022).

Dates are converted elsewhere (`records`, `series`); `check_year` is the one range they share.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from generator.diagnostics import Report, Span
from generator.portfolio.schema import field_name, schema
from generator.portfolio.source import DEFAULT_LIMITS, Limits, describe_char
from generator.portfolio.yamlparse import Document, Path_

#: Fields that hold paragraphs; every other text field is a single line.
FREE_TEXT = frozenset(
    {
        "description",
        "notes",
        "note",
        "wording",
        "root_cause",
        "correction",
        "rationale",
        "text",
        "criterion",
        "result",
        "definition",
        "numerator",
        "denominator",
    }
)
ADDRESSES = frozenset({"url", "path"})
#: Invisible in a one-line field even where free text allows them (source.FORBIDDEN refuses
#: the other format characters everywhere): joiners, the grapheme joiner, Hangul fillers.
INVISIBLE = "\u200c\u200d\u034f\u115f\u1160\u3164\uffa0"
_NOT_ONE_LINE = re.compile(f"[\n\r\t{INVISIBLE}]")
#: The years a date or month may fall in (E107).
YEARS = range(1900, 2200)
#: portfolio.yaml's lists of IDs, whose entries name pages and anchors on the site.
CONFIG_LISTS = (
    ("standards",),
    ("categories",),
    ("people",),
    ("retention_classes",),
    ("scope", "sites"),
    ("scope", "programs"),
    ("scope", "channels"),
    ("scope", "suppliers"),
)


def check_year(year: int, text: str, span: Span, field: str, report: Report) -> bool:
    """False, after reporting it, for a date or month outside 1900-2199."""
    if year in YEARS:
        return True
    report.error(
        span,
        "E107",
        f"'{field}' ({text}) is outside the years {YEARS[0]} to {YEARS[-1]}",
        "check the year",
    )
    return False


def _quote(text: str) -> str:
    """The value as a Python literal (line breaks show as \\n), shortened when long."""
    return repr(text) if len(text) <= 60 else f"{text[:50]!r}... ({len(text)} characters)"


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return text if len(text) <= 20 else f"{text[:8]}... ({len(text)} digits)"


@cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    """The schema with its local `$ref`s replaced by what they name, so walking needs no lookup."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/definitions/"):
            return _inline(definitions[ref.removeprefix("#/definitions/")], definitions)
        return {k: _inline(v, definitions) for k, v in node.items() if k != "definitions"}
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    return node


@cache
def _tree(kind: str) -> dict[str, Any]:
    full = schema(kind)
    tree: dict[str, Any] = _inline(full, full.get("definitions", {}))
    return tree


class _Checker:
    def __init__(self, doc: Document, report: Report, limits: Limits) -> None:
        self.doc = doc
        self.report = report
        self.limits = limits
        self.ok = True

    def error(self, path: Path_, code: str, message: str, hint: str | None = None) -> None:
        self.report.error(self.doc.span(path), code, message, hint)
        self.ok = False

    def walk(self, node: dict[str, Any], value: Any, path: Path_) -> None:
        if isinstance(value, dict):
            properties = node.get("properties", {})
            for key, item in value.items():
                self.walk(properties.get(key, {}), item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.walk(node.get("items", {}), item, (*path, index))
        elif isinstance(value, str):
            self.text(node, value, path)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self.number(value, path)

    def number(self, value: float, path: Path_) -> None:
        limit = self.limits.magnitude
        if abs(value) > limit:
            self.error(
                path,
                "E105",
                f"'{field_name(path)}' must be between -{limit:,} and {limit:,}, "
                f"got {_show(value)}",
            )

    def text(self, node: dict[str, Any], value: str, path: Path_) -> None:
        if value in node.get("enum", ()):  # exactly a value the schema lists (a tab, say)
            return
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            if not _pattern(pattern).fullmatch(value):
                expected = node.get("x-expected", f"text matching {pattern}")
                name = field_name(path)
                self.error(path, "E104", f"'{name}' must be {expected}, got {_quote(value)}")
            return
        key = next((p for p in reversed(path) if isinstance(p, str)), "")
        if key in FREE_TEXT:
            self.length(path, value, self.limits.text_chars, "or attach the full text as a file")
            return
        bad = _NOT_ONE_LINE.search(value)
        if bad is not None and bad.group() in "\n\r\t":
            self.error(
                path,
                "E021",
                f"'{field_name(path)}' must be one line, got {_quote(value)}",
                "remove the line break or tab ('>' and '|' blocks end with one: use '>-')",
            )
        elif bad is not None:
            self.error(
                path,
                "E004",
                f"forbidden character {describe_char(bad.group())} in '{field_name(path)}'",
                "remove it; invisible characters are allowed only in free text such as notes",
            )
        else:
            limit = self.limits.address_chars if key in ADDRESSES else self.limits.line_chars
            self.length(path, value, limit, "put the details in 'description' or 'notes'")

    def length(self, path: Path_, value: str, limit: int, hint: str) -> None:
        if len(value) > limit:
            self.error(
                path,
                "E020",
                f"'{field_name(path)}' is {len(value)} characters long, more than {limit}",
                f"shorten it, {hint}",
            )

    def config_case(self) -> None:
        data = self.doc.data
        for list_path in CONFIG_LISTS:
            items = data.get(list_path[0]) if isinstance(data, dict) else None
            if len(list_path) > 1:
                items = items.get(list_path[1]) if isinstance(items, dict) else None
            first: dict[str, tuple[str, Span]] = {}
            for index, item in enumerate(items if isinstance(items, list) else []):
                ident = item.get("id") if isinstance(item, dict) else None
                if not isinstance(ident, str):
                    continue
                span = self.doc.span((*list_path, index, "id"))
                other, where = first.setdefault(ident.casefold(), (ident, span))
                if other != ident:
                    self.error(
                        (*list_path, index, "id"),
                        "E022",
                        f"ID '{ident}' in '{'.'.join(list_path)}' differs only in letter case "
                        f"from '{other}' (line {where.line})",
                        "rename one; IDs that differ only in case collide on the site",
                    )


def check_values(kind: str, doc: Document, report: Report, limits: Limits = DEFAULT_LIMITS) -> bool:
    """Report what the schema let through (see the module's docstring); True when clean."""
    checker = _Checker(doc, report, limits)
    checker.walk(_tree(kind), doc.data, ())
    if kind == "portfolio":
        checker.config_case()
    return checker.ok
