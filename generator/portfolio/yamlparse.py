"""A hardened YAML reader for evidence files.

PyYAML's own composer is not safe for contributor input: it expands aliases, keeps the last of
two duplicate keys, resolves YAML 1.1 surprises (`NO` → False, `1:30` → 90, `2024-02-30` →
ValueError) and, in its C version, recurses until the interpreter crashes on deep nesting. So
certfolio reads only the *event stream* (libyaml's C parser when present, which is fast and
does not recurse) and builds plain Python values itself, iteratively:

- no anchors, aliases, merge keys or explicit tags;
- duplicate keys and non-string keys are errors;
- plain scalars resolve to null, true/false, decimal int and float, and everything else stays a
  string (dates stay text and are parsed, with a position, by the validator);
- nesting is capped, and parsing stops at the first level past the cap.

A file libyaml rejects is read again with PyYAML's pure-Python parser, which reports the first
problem in document order whatever libyaml version is installed: libyaml 0.2.6 scans far ahead
and stops at its own nesting limit (1,000 levels) before certfolio's cap would be reached, and
its messages differ slightly between releases. Valid files never take the slow path.

The result keeps the line and column of every key and value, addressed by its path.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from generator.diagnostics import Report, Span
from generator.portfolio.source import DEFAULT_LIMITS, FORBIDDEN, Limits, check_text, describe_char

try:
    from yaml import CSafeLoader as _FastEventSource
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _FastEventSource  # type: ignore[assignment]
from yaml import SafeLoader as _EventSource

Path_ = tuple[str | int, ...]

_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})


@dataclass
class Document:
    """A parsed YAML file: its data and where each value and key came from."""

    rel: str
    data: Any
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    raw: dict[Path_, str] = field(default_factory=dict)

    def span(self, path: Path_ = (), *, key: bool = False) -> Span:
        """The position of the value (or key) at `path`, else of its nearest ancestor."""
        table = self.keys if key else self.values
        probe = tuple(path)
        while True:
            if probe in table:
                return Span(self.rel, *table[probe])
            if probe in self.values:
                return Span(self.rel, *self.values[probe])
            if not probe:
                return Span(self.rel, 1, 1)
            probe = probe[:-1]


class _Stop(Exception):
    """Raised inside `parse_yaml` to abandon a file after reporting why; never escapes it."""


def resolve_plain(text: str) -> Any:
    """The value of a plain (unquoted) scalar under certfolio's strict rules."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        # beyond 4,300 digits int() refuses; such a number is out of any range anyway
        return int(text) if len(text) <= 1000 else float(text)
    if _FLOAT.fullmatch(text):
        number = float(text)
        if math.isfinite(number):
            return number
    return text


@dataclass
class _Frame:
    container: dict[str, Any] | list[Any]
    path: Path_
    key: str | None = None
    skip: bool = False  # a duplicate key's value is read but not kept


class _Builder:
    def __init__(self, rel: str, report: Report, limits: Limits) -> None:
        self.rel = rel
        self.report = report
        self.limits = limits
        self.doc = Document(rel, None)
        self.stack: list[_Frame] = []
        self.root_done = False

    def fail(self, mark: Any, code: str, message: str, hint: str | None = None) -> None:
        self.report.error(Span(self.rel, mark.line + 1, mark.column + 1), code, message, hint)
        raise _Stop

    def error(self, mark: Any, code: str, message: str, hint: str | None = None) -> None:
        self.report.error(Span(self.rel, mark.line + 1, mark.column + 1), code, message, hint)

    def check_node(self, event: Any) -> None:
        if getattr(event, "anchor", None) is not None:
            self.fail(
                event.start_mark,
                "E012",
                "anchors and aliases are not allowed in evidence files",
                "repeat the value instead of using '&' and '*'",
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            self.fail(
                event.start_mark,
                "E013",
                f"tag '{tag}' is not allowed",
                "remove the tag; evidence files hold plain values",
            )

    def scalar_value(self, event: Any) -> Any:
        if event.style in (None, ""):
            return resolve_plain(event.value)
        text: str = event.value
        bad = FORBIDDEN.search(text.replace("\t", " ").replace("\n", " "))
        if bad is not None:
            self.fail(
                event.start_mark,
                "E004",
                f"forbidden character {describe_char(bad.group())} in string",
                "remove it; control characters are not allowed",
            )
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            self.fail(
                event.start_mark,
                "E004",
                "string contains a lone surrogate escape",
                "remove the '\\ud800'-style escape",
            )
        return text

    def place(self, value: Any, event: Any) -> bool:
        """Attach a finished value (or an opened container) to its parent; False = a key."""
        mark = event.start_mark
        position = (mark.line + 1, mark.column + 1)
        if not self.stack:
            if self.root_done:
                self.fail(
                    mark,
                    "E016",
                    "more than one YAML document in the file",
                    "keep one document per file and remove the '---' separator",
                )
            self.root_done = True
            self.doc.data = value
            self.doc.values[()] = position
            return True
        parent = self.stack[-1]
        if isinstance(parent.container, list):
            path = (*parent.path, len(parent.container))
            parent.container.append(value)
            self.doc.values[path] = position
            if isinstance(event, yaml.ScalarEvent):
                self.doc.raw[path] = event.value
            return True
        if parent.key is None:
            self.take_key(parent, value, event)
            return False
        path = (*parent.path, parent.key)
        if not parent.skip:
            parent.container[parent.key] = value
            self.doc.values[path] = position
            if isinstance(event, yaml.ScalarEvent):
                self.doc.raw[path] = event.value
        parent.key = None
        parent.skip = False
        return True

    def take_key(self, frame: _Frame, value: Any, event: Any) -> None:
        mark = event.start_mark
        if not isinstance(event, yaml.ScalarEvent):
            self.fail(mark, "E015", "a key must be a plain name, not a list or mapping")
        if event.style in (None, "") and event.value == "<<":
            self.fail(
                mark, "E018", "merge keys ('<<') are not allowed", "write the fields out in full"
            )
        if not isinstance(value, str):
            self.error(
                mark, "E015", f"key {event.value} is not a string", f'quote it: "{event.value}"'
            )
        key = event.value
        assert isinstance(frame.container, dict)
        path = (*frame.path, key)
        if path in self.doc.keys:
            first = self.doc.keys.get(path, (0, 0))[0]
            self.error(
                mark,
                "E011",
                f"duplicate key '{key}' (first at line {first})",
                "remove one of the two entries",
            )
            frame.skip = True
        else:
            self.doc.keys[path] = (mark.line + 1, mark.column + 1)
        frame.key = key

    def open(self, event: Any, container: dict[str, Any] | list[Any]) -> None:
        if len(self.stack) >= self.limits.depth:
            self.fail(
                event.start_mark,
                "E014",
                f"nesting deeper than {self.limits.depth} levels",
                "evidence files need only a few levels; flatten the structure",
            )
        parent_path: Path_ = ()
        if self.stack:
            parent = self.stack[-1]
            if isinstance(parent.container, list):
                parent_path = (*parent.path, len(parent.container))
            elif parent.key is None:
                self.fail(
                    event.start_mark, "E015", "a key must be a plain name, not a list or mapping"
                )
            else:
                parent_path = (*parent.path, parent.key)
        self.place(container, event)
        self.stack.append(_Frame(container, parent_path))

    def close(self) -> None:
        self.stack.pop()

    def run(self, next_event: Callable[[], Any]) -> None:
        while True:
            event = next_event()
            if isinstance(event, yaml.StreamEndEvent):
                return
            if isinstance(event, yaml.AliasEvent):
                self.fail(
                    event.start_mark,
                    "E012",
                    "anchors and aliases are not allowed in evidence files",
                    "repeat the value instead of using '&' and '*'",
                )
            if isinstance(event, yaml.ScalarEvent):
                self.check_node(event)
                self.place(self.scalar_value(event), event)
            elif isinstance(event, yaml.MappingStartEvent):
                self.check_node(event)
                self.open(event, {})
            elif isinstance(event, yaml.SequenceStartEvent):
                self.check_node(event)
                self.open(event, [])
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                self.close()
            elif isinstance(event, yaml.DocumentStartEvent) and self.root_done:
                self.fail(
                    event.start_mark,
                    "E016",
                    "more than one YAML document in the file",
                    "keep one document per file and remove the '---' separator",
                )


def _syntax_error(exc: yaml.YAMLError, text: str, rel: str, report: Report) -> None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
    hint = None
    lines = text.splitlines()
    line_text = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if "\t" in line_text or "tab" in problem:
        hint = "indent with spaces; tabs are not allowed in YAML"
    elif "mapping values are not allowed" in problem:
        hint = "quote values that contain ': '"
    span = Span(rel, mark.line + 1, mark.column + 1) if mark is not None else Span(rel)
    report.error(span, "E010", message, hint)


class _Unparsed(Exception):
    """libyaml rejected the text; the pure-Python parser reads it again."""


def _build(loader: Any, text: str, rel: str, report: Report, limits: Limits) -> _Builder | None:
    """Run one parser over the text; None when a problem was reported."""
    builder = _Builder(rel, report, limits)
    source = loader(text)
    try:
        builder.run(source.get_event)
    except _Stop:
        return None
    except yaml.YAMLError as exc:
        if loader is not _EventSource:
            raise _Unparsed from exc
        _syntax_error(exc, text, rel, report)
        return None
    finally:
        source.dispose()
    return builder


def parse_yaml(
    text: str, rel: str, report: Report, limits: Limits = DEFAULT_LIMITS
) -> Document | None:
    """Parse one evidence file; None when it cannot be used (the reasons are in `report`)."""
    errors_before = report.errors
    if not check_text(text, rel, report):
        return None
    first = Report()  # what libyaml's pass found, kept only when libyaml read the whole file
    try:
        builder = _build(_FastEventSource, text, rel, first, limits)
    except _Unparsed:
        builder = _build(_EventSource, text, rel, report, limits)
    else:
        report.diagnostics.extend(first.diagnostics)
    if builder is None:
        return None
    if not builder.root_done or builder.doc.data is None:
        report.error(Span(rel, 1, 1), "E017", "empty file", "a file must hold one YAML mapping")
        return None
    if not isinstance(builder.doc.data, dict):
        kind = "a list" if isinstance(builder.doc.data, list) else "a single value"
        report.error(
            Span(rel, *builder.doc.values[()]),
            "E019",
            f"expected a mapping of fields at the top level, got {kind}",
        )
        return None
    return builder.doc if report.errors == errors_before else None
