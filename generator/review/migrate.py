"""`certfolio migrate`: move a portfolio to a new release of a standard, as a reviewable diff.

A mapping file names, for one standard (the primary one unless told otherwise), the clauses
the new release renumbered: old clause → new clause, as YAML (`"4.3": "4.4"`; unquoted
numbers are read as written, `4.10` stays 4.10) or as CSV with the columns `old,new`.
Clauses the file does not name keep their IDs. `plan_migration` works out the change:

- every requirement mapping to the standard whose `clause` the file names gets the new one;
- in `portfolio.yaml`, the standard's `release` becomes the new release (the line is added
  after `name` when there is none) and every clause of its `clauses` list the file names is
  renamed; when two old clauses become one, the later entry of the list is removed;
- the clauses of the new release left without a requirement are listed: those of the renamed
  `clauses` list and the new clauses of the file that nothing maps to after the change.

The files are edited as text: each clause ID is replaced where it stands, in its own quoting
style (a plain scalar that would read as a number gets double quotes), and every other byte
(comments, order, line endings, a BOM) stays, so the diff shows exactly the clauses moved.
Nothing is written unless asked (`Migration.write`, atomic per file). A requirement of the
primary standard with no mapping to it stands for the clause of its own ID; the file cannot
rename it, so such requirements are listed for the team to rename or map by hand.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator import model as m
from generator.errors import UsageError
from generator.portfolio.yamlparse import resolve_plain
from generator.review.record import write_atomically

_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class Change:
    """One file's text before and after the migration."""

    path: Path
    rel: str  # as diagnostics show it: from the portfolio's parent folder
    before: str
    after: str

    def diff(self) -> str:
        """The change as a unified diff (`a/REL`, `b/REL`), three lines of context."""
        lines = difflib.unified_diff(
            _lines(self.before), _lines(self.after), f"a/{self.rel}", f"b/{self.rel}"
        )
        return "".join(lines)


@dataclass(frozen=True)
class Migration:
    """What moving one standard to a new release changes, and what it leaves to do."""

    standard: m.Standard
    release: str
    changes: tuple[Change, ...]
    renamed: int  # clause IDs replaced in requirement mappings
    unmapped: tuple[str, ...]  # clauses of the new release no requirement maps to
    implicit: tuple[tuple[str, str], ...]  # (requirement, new clause) the file cannot edit
    unused: tuple[str, ...]  # old clauses of the mapping file that nothing used

    def diff(self) -> str:
        return "".join(change.diff() for change in self.changes)

    def write(self) -> None:
        """Apply every change, each file replaced atomically."""
        for change in self.changes:
            write_atomically(change.path, change.after)


def natural(text: str) -> tuple[Any, ...]:
    """A sort key that puts clause 4.2 before 4.10."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in _DIGITS.split(text) if p)


def read_mapping(path: Path) -> dict[str, str]:
    """The mapping file: old clause → new clause. UsageError, naming the line, when it is
    not a YAML mapping of clause IDs (or a CSV file with the columns old,new)."""
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the mapping file {path}: {exc}") from None
    pairs = _csv_pairs(path, text) if path.suffix.lower() == ".csv" else _yaml_pairs(path, text)
    found: dict[str, str] = {}
    for line, old, new in pairs:
        for value in (old, new):
            if not value.strip() or value != value.strip() or "\n" in value:
                raise UsageError(f"{path}:{line}: a clause ID must be one line of text: {value!r}")
        if old in found:
            raise UsageError(f"{path}:{line}: clause '{old}' is mapped twice")
        found[old] = new
    if not found:
        raise UsageError(f"{path}: the mapping file maps no clause")
    return found


def _csv_pairs(path: Path, text: str) -> Iterator[tuple[int, str, str]]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [c.strip().lower() for c in rows[0]] != ["old", "new"]:
        raise UsageError(f"{path}:1: the CSV mapping file needs the header 'old,new'")
    for number, row in enumerate(rows[1:], 2):
        if not row:
            continue
        if len(row) != 2:
            raise UsageError(f"{path}:{number}: expected two fields, old and new")
        yield number, row[0], row[1]


def _yaml_pairs(path: Path, text: str) -> Iterator[tuple[int, str, str]]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(root, yaml.MappingNode):
        raise UsageError(f"{path}: the mapping file must map old clauses to new ones")
    for key, value in root.value:
        line = key.start_mark.line + 1
        if not (isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.ScalarNode)):
            raise UsageError(f"{path}:{line}: write each entry as OLD: NEW")
        yield line, str(key.value), str(value.value)


def _lines(text: str) -> list[str]:
    """`text` split for difflib, with git's marker after a last line that has no newline."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def _get(node: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The (key, value) nodes of `key` in a mapping node."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return k, v
    return None


def _items(node: yaml.Node | None, key: str) -> list[yaml.Node]:
    """The entries of the list at `key` in a mapping node (none when it is not a list)."""
    pair = _get(node, key) if node is not None else None
    return list(pair[1].value) if pair and isinstance(pair[1], yaml.SequenceNode) else []


def _text(node: yaml.Node) -> str:
    """A scalar node's text as written (`4.10` stays 4.10); empty for anything else."""
    return str(node.value) if isinstance(node, yaml.ScalarNode) else ""


def _scalar(value: str, style: str | None) -> str:
    """`value` as a YAML scalar in `style` (None: plain when it stays text, else quoted)."""
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style is None and _PLAIN.fullmatch(value) and resolve_plain(value) == value:
        return value
    return json.dumps(value, ensure_ascii=False)


class _Text:
    """A YAML file's text and the edits to make to it, applied last to first."""

    def __init__(self, path: Path, rel: str) -> None:
        self.path, self.rel = path, rel
        raw = path.read_bytes().decode("utf-8")
        self.bom = "\ufeff" if raw.startswith("\ufeff") else ""
        self.text = raw.removeprefix("\ufeff")
        self.root = yaml.compose(self.text, Loader=yaml.SafeLoader)
        self.edits: list[tuple[int, int, str]] = []

    def replace(self, node: yaml.Node, value: str) -> None:
        if not isinstance(node, yaml.ScalarNode) or node.style not in (None, "'", '"'):
            line = node.start_mark.line + 1
            raise UsageError(f"{self.rel}:{line}: write this clause on one line to migrate it")
        self.edits.append((node.start_mark.index, node.end_mark.index, _scalar(value, node.style)))

    def remove_item(self, node: yaml.Node) -> None:
        """Remove a list entry that stands on lines of its own (`- {id: "5", ...}`)."""
        start = self.text.rfind("\n", 0, node.start_mark.index) + 1
        end = self.text.find("\n", _last_end(node))
        end = len(self.text) if end < 0 else end + 1
        if not self.text[start : node.start_mark.index].strip().startswith("-"):
            line = node.start_mark.line + 1
            raise UsageError(f"{self.rel}:{line}: put each clause of the list on its own line")
        self.edits.append((start, end, ""))

    def change(self) -> Change | None:
        text = self.text
        for start, end, value in sorted(self.edits, reverse=True):
            text = text[:start] + value + text[end:]
        if text == self.text:
            return None
        return Change(self.path, self.rel, self.bom + self.text, self.bom + text)


def _last_end(node: yaml.Node) -> int:
    """Where the text of a node ends: a block collection's end mark is the next token's."""
    while isinstance(node, yaml.CollectionNode) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return int(node.end_mark.index)


def _standard(portfolio: m.Portfolio, standard: str | None) -> m.Standard:
    standards = {s.id: s for s in portfolio.config.standards}
    if standard is not None:
        if standard not in standards:
            known = ", ".join(standards)
            raise UsageError(f"no standard '{standard}' in portfolio.yaml", [f"known: {known}"])
        return standards[standard]
    primary = [s for s in portfolio.config.standards if s.primary]
    if len(primary) != 1:
        raise UsageError("name the standard to migrate with --standard (no single primary one)")
    return primary[0]


def _config(
    text: _Text, standard: m.Standard, release: str, mapping: dict[str, str]
) -> tuple[list[str], set[str]]:
    """Edit portfolio.yaml's standard: its release and its clauses list. Returns the list as
    it will read and the old clauses the list used."""
    entry = next(
        (
            s
            for s in _items(text.root, "standards")
            if (pair := _get(s, "id")) and _text(pair[1]) == standard.id
        ),
        None,
    )
    if entry is None:  # validated: cannot happen
        raise UsageError(f"standard '{standard.id}' not found in {text.rel}")
    current = _get(entry, "release")
    if current is not None:
        if standard.release != release:
            text.replace(current[1], release)
    else:
        _add_release(text, entry, release)
    clauses: list[str] = []
    used: set[str] = set()
    for item in _items(entry, "clauses"):
        pair = _get(item, "id")
        if pair is None:
            continue
        old = _text(pair[1])
        new = mapping.get(old, old)
        used.update([old] if old in mapping else [])
        if new in clauses:  # two old clauses became one: keep the first entry
            text.remove_item(item)
            continue
        clauses.append(new)
        if new != old:
            text.replace(pair[1], new)
    return clauses, used


def _add_release(text: _Text, entry: yaml.Node, release: str) -> None:
    """Add `release: "..."` after the standard's `name` (inside braces in flow style)."""
    name = _get(entry, "name")
    assert name is not None  # required by the schema
    value = json.dumps(release, ensure_ascii=False)
    if isinstance(entry, yaml.CollectionNode) and entry.flow_style:
        at = name[1].end_mark.index
        text.edits.append((at, at, f", release: {value}"))
        return
    at = text.text.find("\n", name[1].end_mark.index - 1)
    newline = "\r\n" if text.text[at - 1 : at] == "\r" else "\n"
    at = len(text.text) if at < 0 else at + 1
    indent = " " * name[0].start_mark.column
    text.edits.append((at, at, f"{indent}release: {value}{newline}"))


def plan_migration(
    portfolio: m.Portfolio, release: str, mapping: dict[str, str], standard: str | None = None
) -> Migration:
    """The change that moves `standard` (default: the primary one) to `release`."""
    target = _standard(portfolio, standard)
    base = portfolio.root.parent
    config = _Text(base / portfolio.config.span.path, portfolio.config.span.path)
    clauses, used = _config(config, target, release, mapping)
    changes = [config.change()]
    after: set[str] = set()
    implicit: list[tuple[str, str]] = []
    renamed = 0
    for rid, requirement in portfolio.requirements.items():
        if not any(x.standard == target.id for x in requirement.mappings):
            if target.primary:  # it stands for the clause of its own ID
                after.add(rid)
                if rid in mapping:
                    implicit.append((rid, mapping[rid]))
                    used.add(rid)
            continue
        text = _Text(base / requirement.span.path, requirement.span.path)
        for item in _items(text.root, "mappings"):
            std, clause = _get(item, "standard"), _get(item, "clause")
            if std is None or clause is None or _text(std[1]) != target.id:
                continue
            old = _text(clause[1])
            after.add(mapping.get(old, old))
            if old in mapping:
                used.add(old)
                if mapping[old] != old:
                    text.replace(clause[1], mapping[old])
                    renamed += 1
        changes.append(text.change())
    new_clauses = set(clauses) | set(mapping.values())
    return Migration(
        target,
        release,
        tuple(c for c in changes if c is not None),
        renamed,
        tuple(sorted(new_clauses - after, key=natural)),
        tuple(implicit),
        tuple(sorted(set(mapping) - used, key=natural)),
    )
