"""The parse cache: a warm validation says exactly what a cold one says, a changed byte is
parsed again, and a damaged, foreign or forged pack is ignored, never trusted."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
from pathlib import Path

import pytest

from generator.cli import main
from generator.diagnostics import Diagnostic, Report
from generator.model import Portfolio
from generator.portfolio.parsecache import MAGIC, PACK, ParseCache
from generator.portfolio.source import Limits
from generator.portfolio.validate import validate_portfolio
from generator.site.build import generate_site

from .conftest import SAMPLE, copy_portfolio


def cache_in(tmp_path: Path, version: bytes | None = None, results: bool = False) -> ParseCache:
    """A cache whose folder and key both live under `tmp_path`; these tests are about its
    entries, so by default without the layer of whole outcomes (test_results.py)."""
    key_file = tmp_path / "home" / "parse-cache.key"
    if version is None:
        return ParseCache(tmp_path / "cache", key_file=key_file, results=results)
    return ParseCache(tmp_path / "cache", key_file=key_file, version=version, results=results)


def validate(root: Path, cache: ParseCache | None) -> tuple[Portfolio | None, list[Diagnostic]]:
    portfolio, report = validate_portfolio(root, Report(), cache=cache)
    return portfolio, report.sorted()


@pytest.fixture
def broken(minimal: Path) -> Path:
    """The minimal portfolio with a problem for every stage the cache stands in for: a
    schema error, a bad CSV cell, personal data in a YAML value and in a CSV note, a warning,
    and an allowed e-mail address that only `privacy.allow` keeps from being an error."""
    portfolio = minimal / "portfolio.yaml"
    portfolio.write_text(
        portfolio.read_text()
        + "privacy:\n  allow:\n    - value: desk@hlcs.no\n      reason: The shared mailbox.\n"
    )
    ev1 = minimal / "evidence" / "EV-01.yaml"
    ev1.write_text(ev1.read_text().replace("type: procedure", "type: memo"))
    ev2 = minimal / "evidence" / "EV-02.yaml"
    ev2.write_text(
        ev2.read_text() + "notes: Ask desk@hlcs.no, or card 4111 1111 1111 1111 for refunds.\n"
    )
    (minimal / "metrics" / "M1.csv").write_text(
        'period,value,note\n2024-01,81.0,\n2024-02,"79,5",\n2024-04,80.4,mail ann@hlcs.no\n'
    )
    (minimal / "metrics" / "M2.csv").write_text(
        "period,value,n\n2024-01,95.5,120\n2024-03,94.0,105\n"
    )
    return minimal


def test_a_warm_run_says_what_a_cold_one_says(broken: Path, tmp_path: Path) -> None:
    uncached = validate(broken, None)
    cold_cache = cache_in(tmp_path)
    cold = validate(broken, cold_cache)
    warm_cache = cache_in(tmp_path)
    warm = validate(broken, warm_cache)
    assert cold == warm == uncached
    codes = {d.code for d in uncached[1]}
    assert {"E103", "E505", "E800", "E803", "W501"} <= codes, codes
    assert cold_cache.stats.hits == 0 and cold_cache.stats.written == 10
    assert warm_cache.stats.hits == 10 and warm_cache.stats.misses == 0
    assert warm_cache.stats.written == 0  # nothing changed: the pack is not rewritten


def test_the_sample_warm_and_cold_give_the_same_portfolio(tmp_path: Path) -> None:
    sample = copy_portfolio(SAMPLE, tmp_path / "evidence")
    uncached = validate(sample, None)
    validate(sample, cache_in(tmp_path))
    warm_cache = cache_in(tmp_path)
    warm = validate(sample, warm_cache)
    assert warm == uncached and warm[0] is not None
    assert warm_cache.stats.misses == 0 and warm_cache.stats.hits > 100


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().out


@pytest.mark.parametrize("command", ["validate", "assess"])
def test_the_command_line_output_is_the_same_warm(
    command: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))  # the user's key goes here
    sample = copy_portfolio(SAMPLE, tmp_path / "project" / "evidence")
    argv = [command, str(sample), "--format", "json"]
    plain = _cli([*argv, "--no-cache"], capsys)
    assert not (tmp_path / "project" / ".cache").exists()
    cold = _cli(argv, capsys)
    pack = tmp_path / "project" / ".cache" / "certfolio" / "parse" / PACK
    written = pack.stat().st_mtime_ns
    warm = _cli(argv, capsys)
    assert plain == cold == warm
    assert json.loads(warm[1])  # a whole document
    assert pack.stat().st_mtime_ns == written  # the warm run wrote nothing
    assert (tmp_path / "home" / "certfolio" / "parse-cache.key").stat().st_mode & 0o077 == 0


def test_a_changed_byte_is_parsed_again(minimal: Path, tmp_path: Path) -> None:
    validate(minimal, cache_in(tmp_path))
    ev1 = minimal / "evidence" / "EV-01.yaml"
    original = ev1.read_bytes()
    ev1.write_bytes(original.replace(b"title: Procedure", b"title: Procedures"))
    cache = cache_in(tmp_path)
    portfolio, _ = validate(minimal, cache)
    assert portfolio is not None and portfolio.evidence["EV-01"].title == "Procedures"
    assert (cache.stats.misses, cache.stats.hits) == (1, 9)

    csv = minimal / "metrics" / "M1.csv"
    csv.write_bytes(csv.read_bytes().replace(b"79.5", b"79.5%"))
    cache = cache_in(tmp_path)
    portfolio, diagnostics = validate(minimal, cache)
    assert portfolio is None and [d.code for d in diagnostics] == ["E505"]
    assert (cache.stats.misses, cache.stats.hits) == (1, 9)

    ev1.write_bytes(original)  # back to bytes the cache has seen: no parse at all
    csv.write_bytes(csv.read_bytes().replace(b"79.5%", b"79.5"))
    cache = cache_in(tmp_path)
    assert validate(minimal, cache) == validate(minimal, None)
    assert cache.stats.misses == 0


def test_other_limits_or_another_version_miss(minimal: Path, tmp_path: Path) -> None:
    expected = validate(minimal, None)
    validate(minimal, cache_in(tmp_path))
    for cache, limits in (
        (cache_in(tmp_path), Limits(line_chars=200)),
        (cache_in(tmp_path, version=b"certfolio 99"), Limits()),
    ):
        portfolio, report = validate_portfolio(minimal, Report(), limits, cache=cache)
        assert (portfolio, report.sorted()) == expected
        assert cache.stats.hits == 0 and cache.stats.misses == 10


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[: len(b) // 2], id="truncated"),
        pytest.param(lambda b: b[:-100] + bytes([b[-100] ^ 1]) + b[-99:], id="one-bit"),
        pytest.param(lambda b: b"", id="empty"),
        pytest.param(lambda b: b"certfolio-parse-0\n" + b[len(MAGIC) :], id="older-format"),
    ],
)
def test_a_damaged_pack_is_ignored_and_written_again(
    damage: object, broken: Path, tmp_path: Path
) -> None:
    expected = validate(broken, None)
    validate(broken, cache_in(tmp_path))
    pack = tmp_path / "cache" / PACK
    assert callable(damage)
    pack.write_bytes(damage(pack.read_bytes()))
    cache = cache_in(tmp_path)
    assert validate(broken, cache) == expected
    assert cache.stats.hits == 0 and cache.stats.written == 10
    again = cache_in(tmp_path)
    assert validate(broken, again) == expected and again.stats.hits == 10


def _entries(pack: Path) -> dict[str, bytes]:
    stored: dict[str, bytes] = pickle.loads(pack.read_bytes()[len(MAGIC) + 32 :])
    return stored


def _seal(pack: Path, entries: dict[str, bytes], key: bytes) -> None:
    payload = pickle.dumps(entries)
    pack.write_bytes(MAGIC + hmac.digest(key, payload, "sha256") + payload)


def test_a_forged_pack_cannot_hide_an_error(broken: Path, tmp_path: Path) -> None:
    """Someone who can write the project's cache folder, but not read the user's key, swaps
    every entry that carries an error for a clean one, and signs the pack with a key of their
    own, left beside it: the errors are still reported."""
    expected = validate(broken, None)
    validate(broken, cache_in(tmp_path))
    pack = tmp_path / "cache" / PACK
    entries = _entries(pack)
    for key, blob in entries.items():
        value, diagnostics, _ = pickle.loads(blob)
        if diagnostics and value is None:
            entries[key] = pickle.dumps((None, (), True))  # "nothing to say"
    forged_key = os.urandom(32)
    (tmp_path / "cache" / "hmac.key").write_bytes(forged_key)
    _seal(pack, entries, forged_key)
    cache = cache_in(tmp_path)
    portfolio, diagnostics = validate(broken, cache)
    assert (portfolio, diagnostics) == expected and portfolio is None
    assert cache.stats.invalid == 1 and cache.stats.hits == 0


class _Marker:
    """Unpickling this creates a file: proof that a pickle ran code."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (Path(self.path), "ran"))  # type: ignore[return-value]


def test_a_hostile_pickle_is_never_loaded(minimal: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    validate(minimal, cache_in(tmp_path))
    pack = tmp_path / "cache" / PACK
    entries = {key: pickle.dumps(_Marker(str(marker))) for key in _entries(pack)}
    _seal(pack, entries, hashlib.sha256(b"a guessed key").digest())
    payload = pickle.dumps(_Marker(str(marker)))
    (tmp_path / "cache" / "other.pack").write_bytes(payload)
    cache = cache_in(tmp_path)
    assert validate(minimal, cache) == validate(minimal, None)
    assert not marker.exists() and cache.stats.invalid == 1


def test_an_unwritable_cache_means_no_cache(minimal: Path, tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file where the folder should be")
    cache = cache_in(tmp_path)
    assert validate(minimal, cache) == validate(minimal, None)
    assert cache.stats.failed == 1 and cache.stats.written == 0


def test_a_privacy_allowance_removed_is_seen_warm(broken: Path, tmp_path: Path) -> None:
    """EV-02's text holds an allowed address, so its entry is not 'clean' and the guard reads
    it on every run: dropping the allowance turns it into an error though EV-02 is cached."""
    validate(broken, cache_in(tmp_path))
    portfolio = broken / "portfolio.yaml"
    text = portfolio.read_text()
    portfolio.write_text(text[: text.index("privacy:")])
    cache = cache_in(tmp_path)
    warm = validate(broken, cache)
    assert warm == validate(broken, None)
    assert cache.stats.hits == 9 and cache.stats.misses == 1  # only portfolio.yaml changed
    assert any(d.code == "E803" and "EV-02" in d.span.path for d in warm[1])


def test_the_site_build_keeps_parses_beside_the_charts(
    minimal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    site, report = generate_site(minimal, cache_dir=tmp_path / "charts", workers=1)
    assert site is not None and not report.errors
    assert (tmp_path / "charts" / "parse" / PACK).is_file()


def test_a_pack_that_is_a_link_to_a_device_is_never_read(minimal: Path, tmp_path: Path) -> None:
    """A repository could commit the cache folder with a symlink in it: reading /dev/zero
    would never end."""
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / PACK).symlink_to("/dev/zero")
    cache = cache_in(tmp_path)
    assert validate(minimal, cache) == validate(minimal, None)
    assert cache.stats.hits == 0 and cache.stats.written == 10  # replaced by a real pack
    assert not (tmp_path / "cache" / PACK).is_symlink()
