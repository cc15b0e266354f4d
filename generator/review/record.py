"""`certfolio review`: record in reviews.yaml that links were checked, touching only their lines.

`record_reviews` picks the links a request names (every link of one record, as owner or as
target; one link; or, with `every`, the whole portfolio), keeps those that need a review
(suspect ones; never-reviewed ones too with `new` or `every`) and writes one line per link:

    EV-002 > LP-01: {owner: 3f2a9c1e77b0, target: 9d8e7f6a5b4c, by: qa-lead, date: 2025-01-15}

An entry already in the file is replaced where it stands; a new one goes after the last entry
that sorts before it (by owner, then target). Every other line (comments, blank lines, other
entries) stays byte for byte, line endings included, so the pull request shows exactly the
reviews recorded. `every` also removes the reviews of links that no longer exist. The file is
written to a temporary file beside it and moved into place (`os.replace`): a reader sees the
old file or the new one, never half of one. The date comes from the caller: this module never
reads the clock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator import model as m
from generator.diagnostics import Report, plural, suggest
from generator.errors import CertfolioError, UsageError
from generator.portfolio.fingerprint import Fingerprints
from generator.portfolio.links import LINK_KEY, REVIEWS_FILE, Link, kind_of, links_of
from generator.portfolio.yamlparse import parse_yaml, resolve_plain

HEADER = (
    "# Link reviews, written by `certfolio review`. Each line says that on `date`, `by` checked\n"
    "# that OWNER still fits TARGET as both read then (`owner` and `target`: their fingerprints).\n"
    "# When either record changes, the link is suspect until it is reviewed again.\n"
)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class NothingToReview(CertfolioError):
    """Raised by `record_reviews` when no link it was asked about needs a review; the CLI
    prints the message and exits 1."""


@dataclass(frozen=True)
class Recorded:
    """What `record_reviews` wrote: each link with why it was reviewed, and the reviews of
    links that no longer exist that it removed (keys)."""

    path: Path
    written: tuple[tuple[Link, str], ...]  # ("suspect: LP-01 changed" | "first review")
    removed: tuple[str, ...]


def record_reviews(
    portfolio: m.Portfolio,
    item: str | None,
    target: str | None = None,
    *,
    by: str,
    date: dt.date,
    new: bool = False,
    every: bool = False,
) -> Recorded:
    """Record that `by` reviewed, on `date`, the links the request names and that need it.

    `item` is a record ID (all its links, as owner or target), or with `target` one link in
    either direction (`item` may also be 'OWNER>TARGET'); `every` takes every link instead.
    Raises UsageError for an unknown person or record, NothingToReview when nothing is due.
    """
    people = {p.id for p in portfolio.config.people}
    if by not in people:
        close = suggest(by, people) or ""
        raise UsageError(
            f"unknown person '{by}' for --by",
            [f"{close} People are defined in {portfolio.root.name}/portfolio.yaml".lstrip()],
        )
    selected, what = _select(portfolio, item, target, every)
    reviews = {(r.owner, r.target): r for r in portfolio.reviews}
    prints = Fingerprints(portfolio)
    due: list[tuple[Link, str]] = []
    unreviewed = 0
    for link in selected:
        review = reviews.get((link.owner, link.target))
        if review is None:
            unreviewed += 1
            if new or every:
                due.append((link, "first review"))
            continue
        changed = [
            record
            for record, fingerprint in (
                (link.owner, review.owner_fingerprint),
                (link.target, review.target_fingerprint),
            )
            if prints(record) != fingerprint
        ]
        if changed:
            due.append((link, f"suspect: {' and '.join(changed)} changed"))
    existing = {(link.owner, link.target) for link in links_of(portfolio)}
    gone = [r for r in portfolio.reviews if every and (r.owner, r.target) not in existing]
    if not due and not gone:
        raise NothingToReview(*_nothing(what, len(selected), unreviewed, new, every))
    lines = {
        link.key: _entry(link.key, prints(link.owner), prints(link.target), by, date)
        for link, _ in due
    }
    removed = tuple(f"{r.owner} > {r.target}" for r in gone)
    path = portfolio.root / REVIEWS_FILE
    write_atomically(path, _rewrite(portfolio, path, lines, set(removed)))
    return Recorded(path, tuple(due), removed)


def _select(
    portfolio: m.Portfolio, item: str | None, target: str | None, every: bool
) -> tuple[list[Link], str]:
    """The links the request names, and how to name them in a message."""
    links = links_of(portfolio)
    if every:
        if item is not None:
            raise UsageError("give ITEM or --all, not both")
        return links, "every link"
    if item is None:
        raise UsageError("name what you reviewed: ITEM, ITEM TARGET, or --all")
    if ">" in item and target is None:
        item, _, target = (part.strip() for part in item.partition(">"))
    for record in (item, target):
        if record is not None and kind_of(portfolio, record) is None:
            known = [*portfolio.requirements, *portfolio.evidence]
            known += [*portfolio.metrics, *portfolio.findings]
            close = suggest(record, known)
            raise UsageError(f"no record '{record}' in the portfolio", [close] if close else [])
    if target is None:
        return [k for k in links if item in (k.owner, k.target)], item
    found = [k for k in links if {k.owner, k.target} == {item, target}]
    if not found:
        raise UsageError(f"{item} and {target} are not linked")
    return found, found[0].key


def _nothing(
    what: str, links: int, unreviewed: int, new: bool, every: bool
) -> tuple[str, list[str]]:
    if every:
        return "nothing to review: every link matches its last review", []
    if not links:
        return f"nothing to review: {what} has no links", []
    if " > " in what:
        if unreviewed:
            return f"nothing to review: {what} was never reviewed", ["add --new to record it"]
        return f"nothing to review: {what} matches its last review", []
    if unreviewed and not new:
        message = f"nothing to review: no link of {what} changed since its last review"
        count = plural(unreviewed, "link")
        return message, [f"{count} of {what} never reviewed: add --new to record them"]
    return f"nothing to review: {what}'s links match their last review", []


def _scalar(text: str) -> str:
    """The text as a plain YAML scalar when it reads back as the same text, else quoted."""
    plain = _PLAIN.fullmatch(text) and isinstance(resolve_plain(text), str)
    return text if plain else json.dumps(text)


def _entry(key: str, owner: str, target: str, by: str, date: dt.date) -> str:
    values = f"owner: {_scalar(owner)}, target: {_scalar(target)}, by: {_scalar(by)}"
    return f"{key}: {{{values}, date: {date.isoformat()}}}"


def _order(key: str) -> tuple[str, ...]:
    match = LINK_KEY.fullmatch(key)
    return match.groups() if match else (key,)


def _is_note(line: str) -> bool:
    """A blank or comment-only line."""
    return not line.strip() or line.lstrip().startswith("#")


def _new_file(portfolio: m.Portfolio) -> str:
    """A header, and the schema line of portfolio.yaml (the same folder) for reviews."""
    first = (portfolio.root / "portfolio.yaml").read_text("utf-8").partition("\n")[0]
    modeline = "# yaml-language-server: $schema="
    if first.startswith(modeline) and first.endswith("portfolio.schema.json"):
        return first.removesuffix("portfolio.schema.json") + "reviews.schema.json\n" + HEADER
    return HEADER


def _rewrite(portfolio: m.Portfolio, path: Path, lines: dict[str, str], removed: set[str]) -> str:
    """The file's new text: `lines` replace or join the entries, `removed` ones go."""
    text = path.read_bytes().decode("utf-8") if path.exists() else _new_file(portfolio)
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    text = text[len(bom) :]
    newline = "\r\n" if "\r\n" in text else "\n"
    rel = f"{portfolio.root.name}/{REVIEWS_FILE}"
    source = _LINE.findall(text)
    doc = None
    if not all(map(_is_note, source)):
        doc = parse_yaml(text, rel, Report())
        if doc is None:
            raise CertfolioError(f"{rel} is not valid YAML; see certfolio validate")
    positions = doc.keys if doc is not None else {}
    starts = sorted((line, col, str(p[0])) for p, (line, col) in positions.items() if len(p) == 1)
    if any(col != 1 for _, col, _ in starts) or len({s[0] for s in starts}) != len(starts):
        raise UsageError(
            f"cannot edit {rel} in place: its entries are not one per line",
            ["write each entry on a line of its own, starting at the first column"],
        )
    keys = [key for _, _, key in starts]
    blocks: list[list[str]] = []
    gaps: list[list[str]] = []
    for i, (line, _, _) in enumerate(starts):
        end = starts[i + 1][0] - 1 if i + 1 < len(starts) else len(source)
        last = end
        while last > line and _is_note(source[last - 1]):
            last -= 1
        blocks.append(source[line - 1 : last])
        gaps.append(source[last:end])
    head = source[: starts[0][0] - 1] if starts else [s for s in source if _is_note(s)]
    after: dict[int, list[str]] = {}
    for key in sorted(k for k in lines if k not in keys):
        anchor = max((i for i, k in enumerate(keys) if _order(k) < _order(key)), default=-1)
        after.setdefault(anchor, []).append(lines[key])
    out = list(head)

    def add(*new: str) -> None:
        for line in new:
            if out and not out[-1].endswith(("\n", "\r")):
                out[-1] += newline
            out.append(line + newline)

    add(*after.get(-1, []))
    for i, key in enumerate(keys):
        if key in lines:
            add(lines[key])
        elif key not in removed:
            out.extend(blocks[i])
        add(*after.get(i, []))
        out.extend(gaps[i])
    kept = len(keys) - len(removed & set(keys)) + sum(map(len, after.values()))
    return bom + "".join(out) if kept else ""


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` by `text` atomically; an empty text removes the file (no reviews)."""
    if not text:
        path.unlink(missing_ok=True)
        return
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(text.encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current
