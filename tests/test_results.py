"""The parse cache's whole outcomes: an unchanged portfolio is answered without parsing or
building anything, and with exactly what a validation without any cache says; every name
and byte a validation reads invalidates the outcome; a damaged or forged outcome is never used."""

from __future__ import annotations

import gc
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.diagnostics import Diagnostic, Report, Span
from generator.model import Portfolio
from generator.portfolio import attachments, parsecache, results
from generator.portfolio import validate as validate_module
from generator.portfolio.parsecache import ParseCache
from generator.portfolio.signed import write_signed
from generator.portfolio.source import DEFAULT_LIMITS, Limits
from generator.portfolio.validate import validate_portfolio

from .conftest import ROOT, SAMPLE, CollectorSpy, copy_portfolio
from .test_scale import TINY

Outcome = tuple[Portfolio | None, list[Diagnostic]]


def cache_in(tmp_path: Path, version: bytes | None = None) -> ParseCache:
    key_file = tmp_path / "home" / "parse-cache.key"
    if version is None:
        return ParseCache(tmp_path / "cache", key_file=key_file)
    return ParseCache(tmp_path / "cache", key_file=key_file, version=version)


def validate(root: Path, cache: ParseCache | None, limits: Limits = DEFAULT_LIMITS) -> Outcome:
    portfolio, report = validate_portfolio(root, Report(), limits, cache=cache)
    return portfolio, list(report.diagnostics)  # in the order reported, not sorted


def outcome_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache").glob(f"{results.PREFIX}*.pack"))


def answered_whole(root: Path, tmp_path: Path) -> tuple[Outcome, ParseCache]:
    cache = cache_in(tmp_path)
    return validate(root, cache), cache


@pytest.fixture
def generated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A generated multi-program portfolio (the scale benchmark's, tiny)."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import scale_gen

    assert isinstance(scale_gen, ModuleType)
    scale_gen.generate(tmp_path / "generated", **TINY)
    return tmp_path / "generated"


@pytest.fixture
def broken(minimal: Path) -> Path:
    """The minimal portfolio with an error in a YAML file, one in a CSV cell and personal
    data in the referenced attachment: the outcome holds errors and no model."""
    ev2 = minimal / "evidence" / "EV-02.yaml"
    ev2.write_text(ev2.read_text().replace("type: report", "type: memo"))
    csv = minimal / "metrics" / "M1.csv"
    csv.write_text(csv.read_text().replace("79.5", "79.5%"))
    with (minimal / "attachments" / "procedure.md").open("a") as file:
        file.write("\nAsk ann@hlcs.no for help.\n")
    return minimal


@pytest.mark.parametrize("which", ["minimal", "broken", "sample", "vmo", "generated"])
def test_an_unchanged_portfolio_is_answered_whole(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if which == "sample":
        root = copy_portfolio(SAMPLE, tmp_path / "evidence")
    elif which == "vmo":
        root = copy_portfolio(ROOT / "examples" / "vmo" / "portfolio", tmp_path / "vmo")
    else:
        root = request.getfixturevalue(which)
    uncached = validate(root, None)
    cold = cache_in(tmp_path)
    assert validate(root, cold) == uncached
    assert (cold.stats.results, cold.stats.stored) == (0, 1)
    warm_outcome, warm = answered_whole(root, tmp_path)
    assert warm_outcome == uncached
    assert warm.stats.results == 1
    assert (warm.stats.hits, warm.stats.misses, warm.stats.stored) == (0, 0, 0)  # nothing parsed
    if which == "broken":
        assert uncached[0] is None
        assert {"E103", "E505", "E803"} <= {d.code for d in uncached[1]}
    else:
        assert uncached[0] is not None


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


def _same_size_secret(root: Path) -> None:
    """Personal data in the attachment EV-01 names, its size unchanged."""
    path = root / "attachments" / "procedure.md"
    data = path.read_bytes()
    line = b"\nann@hlcs.no\n"
    path.write_bytes(data[: -len(line)] + line)


CHANGES: dict[str, Callable[[Path], None]] = {
    "a YAML title": lambda r: _edit(r / "evidence" / "EV-01.yaml", "title: ", "title: New "),
    "a CSV value": lambda r: _edit(r / "metrics" / "M1.csv", "79.5", "79.6"),
    "a CSV value made wrong": lambda r: _edit(r / "metrics" / "M1.csv", "79.5", "79.5%"),
    "portfolio.yaml": lambda r: _edit(r / "portfolio.yaml", "name: ", "name: The "),
    "an attachment's bytes, same size": _same_size_secret,
    "an attachment removed": lambda r: (r / "attachments" / "procedure.md").unlink(),
    "a data file removed": lambda r: (r / "metrics" / "M2.csv").unlink(),
    "a record added": lambda r: shutil.copy(
        r / "evidence" / "EV-02.yaml", r / "evidence" / "EV-03.yaml"
    ),
    "a YAML file outside the record folders": lambda r: (r / "notes.yaml").write_text("a: 1\n"),
    "an empty folder, a case twin of attachments/": lambda r: (r / "ATTACHMENTS").mkdir(),
    "a symlink": lambda r: (r / "evidence" / "link.yaml").symlink_to(r / "evidence" / "EV-02.yaml"),
    "a record renamed": lambda r: (r / "evidence" / "EV-02.yaml").rename(
        r / "evidence" / "EV-2.yaml"
    ),
    "a FIFO": lambda r: os.mkfifo(r / "attachments" / "pipe"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_change_a_validation_would_see_misses(
    change: str, minimal: Path, tmp_path: Path
) -> None:
    before = validate(minimal, None)
    validate(minimal, cache_in(tmp_path))
    CHANGES[change](minimal)
    expected = validate(minimal, None)
    outcome, cache = answered_whole(minimal, tmp_path)
    assert expected != before  # the change matters to a validation
    assert outcome == expected
    assert cache.stats.results == 0 and cache.stats.stored == 1


def test_another_folder_limits_or_version_miss(minimal: Path, tmp_path: Path) -> None:
    validate(minimal, cache_in(tmp_path))
    moved = minimal.rename(tmp_path / "moved")
    outcome, cache = answered_whole(moved, tmp_path)
    assert outcome == validate(moved, None) and cache.stats.results == 0
    assert outcome[0] is not None and outcome[0].root == moved
    limits = Limits(line_chars=200)
    cache = cache_in(tmp_path)
    assert validate(moved, cache, limits) == validate(moved, None, limits)
    assert cache.stats.results == 0
    cache = cache_in(tmp_path, version=b"certfolio 99")
    assert validate(moved, cache) == validate(moved, None) and cache.stats.results == 0


def test_bytes_no_validation_reads_keep_the_outcome(minimal: Path, tmp_path: Path) -> None:
    """An attachment nothing names: its name is part of the key, its bytes are not."""
    spare = minimal / "attachments" / "spare.md"
    spare.write_text("A draft.\n")
    validate(minimal, cache_in(tmp_path))
    spare.write_text("A draft, ann@hlcs.no.\n")
    outcome, cache = answered_whole(minimal, tmp_path)
    assert outcome == validate(minimal, None) and cache.stats.results == 1


def test_an_attachment_changed_while_validating_is_not_stored(
    minimal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard reads the attachment after the cache noted its digest: an edit in between
    means the outcome may describe either version, so it is not kept."""
    guard = validate_module.guard_portfolio

    def edit_then_guard(*args: object, **kwargs: object) -> None:
        _same_size_secret(minimal)
        guard(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(validate_module, "guard_portfolio", edit_then_guard)
    cache = cache_in(tmp_path)
    during = validate(minimal, cache)
    assert cache.stats.stored == 0 and outcome_files(tmp_path) == []
    monkeypatch.setattr(validate_module, "guard_portfolio", guard)
    assert any(d.code == "E803" for d in during[1])
    outcome, cache = answered_whole(minimal, tmp_path)
    assert outcome == validate(minimal, None) and cache.stats.results == 0


def test_a_report_with_diagnostics_is_not_answered_whole(minimal: Path, tmp_path: Path) -> None:
    """A stored outcome holds a whole report; one that holds something already is added to."""
    validate(minimal, cache_in(tmp_path))
    report = Report()
    report.warning(Span("elsewhere.yaml", 1, 1), "W999", "said before")
    earlier = report.diagnostics[0]
    cache = cache_in(tmp_path)
    portfolio, report = validate_portfolio(minimal, report, cache=cache)
    assert cache.stats.results == 0 and cache.stats.stored == 0
    assert report.diagnostics[0] is earlier
    assert (portfolio, report.diagnostics[1:]) == validate(minimal, None)


def _stored(path: Path) -> tuple[bytes, bytes]:
    """An outcome file's key (its header) and payload."""
    blob = path.read_bytes()
    start = len(results.MAGIC)
    return blob[start : start + 32], blob[start + 64 :]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[: len(b) // 2], id="truncated"),
        pytest.param(lambda b: b[:-100] + bytes([b[-100] ^ 1]) + b[-99:], id="one-bit"),
        pytest.param(lambda b: b"", id="empty"),
        pytest.param(lambda b: b"certfolio-result-0\n" + b[len(results.MAGIC) :], id="format"),
    ],
)
def test_a_damaged_outcome_is_ignored_and_written_again(
    damage: Callable[[bytes], bytes], broken: Path, tmp_path: Path
) -> None:
    expected = validate(broken, None)
    validate(broken, cache_in(tmp_path))
    [stored] = outcome_files(tmp_path)
    stored.write_bytes(damage(stored.read_bytes()))
    outcome, cache = answered_whole(broken, tmp_path)
    assert outcome == expected and (cache.stats.results, cache.stats.stored) == (0, 1)
    outcome, cache = answered_whole(broken, tmp_path)
    assert outcome == expected and cache.stats.results == 1


def test_a_forged_outcome_cannot_hide_an_error(broken: Path, tmp_path: Path) -> None:
    """Someone who can write the cache folder but not read the user's key stores an outcome
    without the errors, for the right key, signed with a key of their own."""
    expected = validate(broken, None)
    validate(broken, cache_in(tmp_path))
    [stored] = outcome_files(tmp_path)
    key, payload = _stored(stored)
    honest = pickle.loads(payload)
    assert isinstance(honest, results.Outcome) and honest.diagnostics
    clean = results.Outcome(honest.attachments, None, (), honest.files)
    payload = pickle.dumps(clean)
    write_signed(stored, results.MAGIC, os.urandom(32), payload, key)
    outcome, cache = answered_whole(broken, tmp_path)
    assert outcome == expected and cache.stats.results == 0


class _Marker:
    """Unpickling this creates a file: proof that a pickle ran code."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[Path, str]]:
        return (Path.write_text, (Path(self.path), "ran"))


def test_a_hostile_outcome_is_never_unpickled(minimal: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    validate(minimal, cache_in(tmp_path))
    [stored] = outcome_files(tmp_path)
    key, _ = _stored(stored)
    stored.write_bytes(results.MAGIC + key + bytes(32) + pickle.dumps(_Marker(str(marker))))
    outcome, cache = answered_whole(minimal, tmp_path)
    assert outcome == validate(minimal, None) and cache.stats.results == 0
    assert not marker.exists()


def test_another_folders_outcome_is_not_taken(minimal: Path, tmp_path: Path) -> None:
    """Both signed by this user: an outcome copied over another folder's file name does not
    carry that folder's key, so it is never read as that folder's outcome."""
    other = copy_portfolio(minimal, tmp_path / "other" / "evidence")
    _edit(other / "evidence" / "EV-01.yaml", "type: procedure", "type: memo")
    validate(other, cache_in(tmp_path))
    validate(minimal, cache_in(tmp_path))
    store = results.Results(tmp_path / "cache", cache_in(tmp_path)._user_key)
    shutil.copy(store.file_for(other), store.file_for(minimal))
    outcome, cache = answered_whole(minimal, tmp_path)
    assert outcome == validate(minimal, None) and cache.stats.results == 0


def test_the_folder_keeps_the_latest_outcomes(minimal: Path, tmp_path: Path) -> None:
    roots = [copy_portfolio(minimal, tmp_path / f"copy{i}" / "evidence") for i in range(10)]
    for root in roots:
        validate(root, cache_in(tmp_path))
    assert len(outcome_files(tmp_path)) == results.KEEP
    for root, whole in ((roots[-1], 1), (roots[-results.KEEP], 1), (roots[0], 0)):
        _, cache = answered_whole(root, tmp_path)
        assert cache.stats.results == whole


def test_the_garbage_collector_is_left_as_it_was(
    minimal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    validate(minimal, cache_in(tmp_path))
    assert gc.isenabled() and gc.get_freeze_count() == 0
    spy = CollectorSpy()
    monkeypatch.setattr(parsecache, "gc", spy)
    _, cache = answered_whole(minimal, tmp_path)  # the model joins the oldest generation
    assert cache.stats.results == 1 and spy.calls == ["freeze", "unfreeze"]
    assert gc.get_freeze_count() == 0
    spy.calls.clear()
    gc.freeze()  # a program that froze objects of its own: they stay frozen, none are added
    try:
        _, cache = answered_whole(minimal, tmp_path)
        assert cache.stats.results == 1 and spy.calls == [] and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    gc.disable()
    try:
        answered_whole(minimal, tmp_path)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_command_line_answers_from_the_outcome(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from generator.cli import main

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    sample = copy_portfolio(SAMPLE, tmp_path / "project" / "evidence")
    argv = ["validate", str(sample), "--format", "json"]
    plain = (main([*argv, "--no-cache"]), capsys.readouterr().out)
    cold = (main(argv), capsys.readouterr().out)
    folder = tmp_path / "project" / ".cache" / "certfolio" / "parse"
    [stored] = sorted(folder.glob(f"{results.PREFIX}*.pack"))
    written = stored.stat().st_mtime_ns
    warm = (main(argv), capsys.readouterr().out)
    assert plain == cold == warm
    assert stored.stat().st_mtime_ns == written and stored.stat().st_mode & 0o077 == 0


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab./\\:. \u00e9", max_size=12))
def test_the_outcome_key_covers_every_attachment_validation_reads(text: str) -> None:
    """`results.attachment_paths` keys an outcome on the attachments named; any path the
    syntax check lets through (validation then reads it) is among them, as the same file."""
    segments = attachments._check_syntax(text, Span("e.yaml", 1, 1), Report())
    if segments is not None:
        assert attachments.under_root(text) == "/".join(segments)
