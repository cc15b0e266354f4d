"""Incremental site builds: after any edit, the site `certfolio site` leaves is the one a clean
build of the same input writes, byte for byte (state file and search index included), and the
pages an edit does not touch are not written at all.

Each scenario builds incrementally into `site/` and cleanly into `cold/`, then compares the
two trees; on the sample portfolio and on a generated multi-program portfolio."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from generator.engines.incremental import STATE_FILE
from generator.engines.mkdocs import build_site

from .conftest import ROOT
from .test_scale import TINY
from .test_site import digest_tree, make_project


@pytest.fixture(autouse=True)
def _fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1736899200")
    monkeypatch.setenv("GIT_DIR", "/nonexistent")  # no commit: the same site wherever it runs


def _mtimes(site: Path) -> dict[str, int]:
    return {
        p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()
    }


def _build(config: Path, site: Path, *, clean: bool = False) -> None:
    result = build_site(config, site, clean=clean)
    assert result.problems == [], result.problems


def _same_as_cold(config: Path) -> dict[str, int]:
    """Build `site/` incrementally and `cold/` cleanly; they must be identical. Returns the
    files of `site/` the incremental build wrote (by their modification times)."""
    site, cold = config.parent / "site", config.parent / "cold"
    before = _mtimes(site) if site.exists() else {}
    _build(config, site)
    _build(config, cold, clean=True)
    incremental, clean = digest_tree(site), digest_tree(cold)
    assert incremental.keys() == clean.keys(), (
        sorted(incremental.keys() - clean.keys()),
        sorted(clean.keys() - incremental.keys()),
    )
    assert [p for p in incremental if incremental[p] != clean[p]] == []
    after = _mtimes(site)
    return {p: t for p, t in after.items() if before.get(p) != t}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    config = make_project(tmp_path / "project", ROOT / "evidence")
    _build(config, config.parent / "site")
    return config


def test_one_evidence_edit_rewrites_its_page_and_the_pages_listing_it_only(
    sample: Path,
) -> None:
    portfolio = sample.parent / "evidence"
    _edit(
        portfolio / "evidence" / "EV-001.yaml",
        "title: Mission, vision & customer promise",
        "title: Mission, vision and promise",
    )
    site = sample.parent / "site"
    inodes = {p: site.joinpath(p).stat().st_ino for p in _mtimes(site)}
    written = _same_as_cold(sample)
    pages = [p for p in written if p.endswith(".html")]
    assert "evidence/EV-001.html" in pages
    # what was not written is the previous site's file itself (a hard link), not a copy
    kept = {p: site.joinpath(p).stat().st_ino for p in _mtimes(site) if p not in written}
    assert kept and all(inodes[p] == inode for p, inode in kept.items())
    assert "requirements/LP-01.html" in pages  # lists the evidence it supports, by title
    assert "metrics/M13.html" not in pages and "requirements/RS-04.html" not in pages
    total = sum(1 for p in (sample.parent / "site").rglob("*.html"))
    assert len(pages) < total / 4, sorted(pages)
    assert "search/search_index.json" in written
    index = json.loads((sample.parent / "site" / "search" / "search_index.json").read_bytes())
    assert any("Mission, vision and promise" in d["title"] for d in index["docs"])
    assert not any("Mission, vision & customer promise" in d["text"] for d in index["docs"])
    assert not any(p.startswith("assets/") for p in written)  # the theme is not copied again


def test_pages_that_come_and_go_and_data_edits_match_a_clean_build(sample: Path) -> None:
    portfolio = sample.parent / "evidence"
    source = portfolio / "evidence" / "EV-001.yaml"
    added = portfolio / "evidence" / "EV-900.yaml"
    added.write_text(
        source.read_text("utf-8")
        .replace("id: EV-001", "id: EV-900")
        .replace("Mission, vision & customer promise", "A page that comes and goes"),
        "utf-8",
    )
    written = _same_as_cold(sample)
    assert "evidence/EV-900.html" in written
    added.unlink()
    _same_as_cold(sample)
    assert not (sample.parent / "site" / "evidence" / "EV-900.html").exists()
    data = sorted((portfolio / "metrics").glob("*.csv"))[0]
    lines = data.read_text("utf-8").splitlines(keepends=True)
    lines[-1] = lines[-1].replace(",", ",1", 1) if lines[-1].count(",") else lines[-1]
    data.write_text("".join(lines), "utf-8")
    _same_as_cold(sample)


def test_configuration_and_hand_written_pages_rebuild_what_they_touch(sample: Path) -> None:
    docs = sample.parent / "site_templates" / "docs"
    (docs / "notes.md").write_text("# Our notes\n\nSee [home](index.md).\n", "utf-8")
    written = _same_as_cold(sample)  # the navigation changed: every page
    assert "requirements/RS-04.html" in written and "notes.html" in written
    (docs / "notes.md").write_text("# Our notes\n\nChanged, see [home](index.md).\n", "utf-8")
    written = _same_as_cold(sample)
    assert "notes.html" in written and "requirements/RS-04.html" not in written
    _edit(sample, "site_name: HLCS evidence portfolio", "site_name: Renamed portfolio")
    written = _same_as_cold(sample)
    assert "requirements/RS-04.html" in written


def test_a_failed_incremental_build_keeps_the_previous_site_and_state(sample: Path) -> None:
    site = sample.parent / "site"
    before = digest_tree(site)
    path = sample.parent / "evidence" / "evidence" / "EV-001.yaml"
    good = path.read_text("utf-8")
    path.write_text(good.replace("supports: [LP-01]", "supports: [NO-SUCH]"), "utf-8")
    assert build_site(sample, site).problems
    assert digest_tree(site) == before
    path.write_text(good.replace("Mission, vision", "Mission and vision"), "utf-8")
    _same_as_cold(sample)


@pytest.mark.parametrize("damage", ["garbage", "missing index", "old version"])
def test_a_state_that_cannot_be_trusted_means_a_full_rebuild(sample: Path, damage: str) -> None:
    site = sample.parent / "site"
    if damage == "garbage":
        (site / STATE_FILE).write_text("{not json", "utf-8")
    elif damage == "missing index":
        (site / "search" / "search_index.json").unlink()
    else:
        state = json.loads((site / STATE_FILE).read_bytes())
        (site / STATE_FILE).write_text(json.dumps({**state, "version": 0}), "utf-8")
    _edit(sample.parent / "evidence" / "evidence" / "EV-002.yaml", "title: ", "title: New ")
    written = _same_as_cold(sample)
    assert "requirements/RS-04.html" in written  # everything was written again


def test_a_generated_multi_program_portfolio_rebuilds_incrementally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    scale_gen: ModuleType = pytest.importorskip("scale_gen")
    project = tmp_path / "project"
    config = make_project(project, ROOT / "evidence")
    shutil.rmtree(project / "evidence")
    scale_gen.generate(project / "evidence", **TINY)
    _build(config, project / "site")
    path = project / "evidence" / "evidence" / "EV-00001.yaml"
    text = path.read_text("utf-8")
    start = text.index("\ntitle: ") + len("\ntitle: ")
    path.write_text(text[:start] + "Edited " + text[start:], "utf-8")
    written = _same_as_cold(config)
    pages = [p for p in written if p.endswith(".html")]
    assert "evidence/EV-00001.html" in pages
    assert len(pages) < sum(1 for _ in (project / "site").rglob("*.html")) / 4


def test_without_hard_links_the_unchanged_files_are_copied(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.engines import mkdocs

    def no_links(source: object, target: object) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(mkdocs.os, "link", no_links)
    site = sample.parent / "site"
    inodes = {p: site.joinpath(p).stat().st_ino for p in _mtimes(site)}
    _edit(sample.parent / "evidence" / "evidence" / "EV-001.yaml", "Mission,", "Our mission,")
    written = _same_as_cold(sample)
    copied = [p for p in _mtimes(site) if p not in written]
    assert copied and all(site.joinpath(p).stat().st_ino != inodes[p] for p in copied)


def test_a_build_without_state_after_an_incremental_one_keeps_nothing_of_it(
    sample: Path,
) -> None:
    """MkDocs keeps one plugin instance per process: a later build that keeps no state (the
    offline copy, the PDF) must not take files the incremental build kept, nor lack the list."""
    from mkdocs.config.defaults import MkDocsConfig

    from generator.engines.mkdocs import CertfolioPlugin

    _edit(sample.parent / "evidence" / "evidence" / "EV-001.yaml", "Mission,", "Our mission,")
    site = sample.parent / "site"
    before = _mtimes(site)
    _build(sample, site)  # incremental: most files kept, not written
    assert sum(before.get(p) == t for p, t in _mtimes(site).items()) > len(before) / 2

    def no_state(config: MkDocsConfig) -> None:
        plugin = config.plugins.get("certfolio")
        assert isinstance(plugin, CertfolioPlugin)
        plugin.keep_state = False

    other = sample.parent / "other"
    result = build_site(sample, other, clean=True, prepare=no_state)
    assert result.problems == []
    cold = sample.parent / "cold"
    _build(sample, cold, clean=True)
    assert digest_tree(other) == {p: h for p, h in digest_tree(cold).items() if p != STATE_FILE}
