"""The two site engines, MkDocs and Zensical, publish the same site from the same mkdocs.yml.

The sample is built once per engine (Zensical twice, to check it is reproducible) from a copy
of the project with a hand-written page added, and the two sites are compared by path and by
bytes: the same pages, charts, data files and attachments. The Zensical path has its own
safety: attachments stay downloads, page content and the search index are sanitised, and a
failure (the portfolio's, or a broken link Zensical reports) leaves the previous site.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from mkdocs.utils.yaml import yaml_load

from generator.engines import mkdocs, zensical
from generator.engines.incremental import STATE_FILE

from .conftest import DATA, ROOT, SAMPLE
from .test_site import HOSTILE, Html, _poison, digest_tree, make_project, parse

OWN_PAGE = "# About this portfolio\n\nWritten by hand. <script>alert(1)</script>\n"


def docs_dir(config: Path) -> Path:
    return config.parent / yaml_load(config.read_text("utf-8")).get("docs_dir", "docs")


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, Path]:
    """The sample with a hand-written page, built as (config, MkDocs site, Zensical site,
    Zensical site again)."""
    tmp = tmp_path_factory.mktemp("engines")
    config = make_project(tmp, SAMPLE)
    (docs_dir(config) / "about.md").write_text(OWN_PAGE, "utf-8")
    assert mkdocs.build_site(config, tmp / "mkdocs").problems == []
    for name in ("zensical", "zensical2"):
        result = zensical.build_site(config, tmp / name)
        assert result.problems == []
        assert set(result.timings) == {"load", "assess", "charts", "render", "zensical"}
    return config, tmp / "mkdocs", tmp / "zensical", tmp / "zensical2"


def files_of(site: Path, suffix: str = "") -> set[str]:
    return {
        p.relative_to(site).as_posix()
        for p in site.rglob(f"*{suffix}")
        if p.is_file() and not p.relative_to(site).as_posix().startswith("assets/")
    }


def test_both_engines_publish_the_same_pages(sites: tuple[Path, Path, Path, Path]) -> None:
    _, by_mkdocs, by_zensical, _ = sites
    pages = files_of(by_zensical, ".html")
    assert pages == files_of(by_mkdocs, ".html")
    assert len(pages) > 120
    for page in ("index.html", "requirements/LP-01.html", "metrics/M13.html", "about.html"):
        assert page in pages
    assert "Written by hand" in parse(by_zensical / "about.html").visible
    home = parse(by_zensical / "index.html")
    nav = [posixpath.normpath(str(a.get("href"))) for t, a in home.tags if t == "a"]
    assert "about.html" in nav and "traceability.html" in nav  # the navigation, own page too


def test_both_engines_publish_the_same_files(sites: tuple[Path, Path, Path, Path]) -> None:
    _, by_mkdocs, by_zensical, _ = sites
    only_engine = {"search.json", "search/search_index.json", "sitemap.xml", "sitemap.xml.gz"}
    only_engine.add(STATE_FILE)  # the MkDocs driver's incremental state
    files = files_of(by_zensical) - files_of(by_zensical, ".html") - only_engine
    assert files == files_of(by_mkdocs) - files_of(by_mkdocs, ".html") - only_engine
    charts = {f for f in files if f.endswith(".svg")}
    assert "charts/overview.svg" in charts and "metrics/M01.svg" in charts
    assert len(charts) == 22  # 19 metrics, the overview, the findings and the journey
    for rel in files:  # charts, data, manifest, stylesheet, attachments: the same bytes
        assert (by_zensical / rel).read_bytes() == (by_mkdocs / rel).read_bytes(), rel


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_attachments_stay_downloads(engine: str, sites: tuple[Path, Path, Path, Path]) -> None:
    _, by_mkdocs, by_zensical, _ = sites
    site = by_mkdocs if engine == "mkdocs" else by_zensical
    manifest = json.loads((site / "manifest.json").read_text("utf-8"))
    published = [i["published"] for i in manifest["inputs"] if i["published"]]
    assert len(published) == 6 and any(p.endswith(".md") for p in published)
    for item in manifest["inputs"]:
        if item["published"]:
            content = (site / item["published"]).read_bytes()
            assert hashlib.sha256(content).hexdigest() == item["sha256"], item["path"]
    assert sorted(p for p in files_of(site) if p.startswith("files/")) == sorted(published)
    links = [str(a.get("href")) for t, a in parse(site / "evidence" / "EV-001.html").tags]
    assert "../files/attachments/EV-001-mission-vision.md" in links
    index = site / ("search.json" if engine == "zensical" else "search/search_index.json")
    assert "files/attachments" not in index.read_text("utf-8")


def test_every_zensical_link_resolves(sites: tuple[Path, Path, Path, Path]) -> None:
    _, _, site, _ = sites
    checked = 0
    for path in site.rglob("*.html"):
        if path.name == "404.html":
            continue  # links from the site root: it is served for any missing path
        for _, _, url in parse(path).links:
            parts = urlsplit(url)
            if parts.scheme or url.startswith(("//", "#", "mailto:")) or not parts.path:
                continue
            target = (path.parent / unquote(parts.path)).resolve()
            if url.startswith("../") and not target.is_relative_to(site.resolve()):
                continue  # the outdated-version banner links above the version folder (mike)
            assert target.exists(), (path, url)
            checked += 1
    assert checked > 3_000  # every page links its sections, registers and related records


def test_zensical_builds_the_same_bytes_twice(sites: tuple[Path, Path, Path, Path]) -> None:
    _, _, first, second = sites
    assert digest_tree(first) == digest_tree(second)


def test_zensical_pages_keep_the_theme_and_lose_scripts(
    sites: tuple[Path, Path, Path, Path],
) -> None:
    _, _, site, _ = sites
    about = (site / "about.html").read_text("utf-8")
    assert "<script>alert(1)</script>" not in about
    assert 'class="md-header' in about and "md-search" in about  # the theme's own parts
    assert about.count("<script") >= 2  # the theme's scripts survive sanitising
    assert "certfolio-end" not in about
    assert "https://fonts." not in about  # no web fonts: the site works offline


def test_zensical_shows_hostile_text_never_runs_it(tmp_path: Path) -> None:
    portfolio = tmp_path / "portfolio"
    shutil.copytree(DATA / "minimal", portfolio)
    for path in portfolio.rglob("*.yaml"):
        skip = ("source",) if path.parent.name == "findings" else ()  # an enum there
        path.write_text(_poison(path.read_text("utf-8"), skip), "utf-8")
    config = make_project(tmp_path / "project", portfolio)
    assert zensical.build_site(config, tmp_path / "site").problems == []
    seen = 0
    for path in (tmp_path / "site").rglob("*.html"):
        page = parse(path)
        for tag, attrs in page.tags:
            assert not any(name.startswith("on") for name in attrs), (path, tag, attrs)
            for name in ("href", "src"):
                value = str(attrs.get(name) or "").strip().lower()
                assert not value.startswith(("javascript:", "data:", "vbscript:")), path
        seen += page.visible.count(HOSTILE)
    assert seen > 20
    index = json.loads((tmp_path / "site" / "search.json").read_text("utf-8"))
    for item in index["items"]:  # the theme shows titles and texts of results as HTML
        found = Html()
        found.feed(f"{item['title']} {item['text']}")
        assert all(tag != "script" for tag, _ in found.tags), item
        assert not any(n.startswith("on") for _, attrs in found.tags for n in attrs), item


def test_zensical_speaks_the_portfolio_language(tmp_path: Path) -> None:
    portfolio = tmp_path / "portfolio"
    shutil.copytree(DATA / "minimal", portfolio)
    config_file = portfolio / "portfolio.yaml"
    config_file.write_text(
        config_file.read_text("utf-8").replace("language: en", "language: nb"), "utf-8"
    )
    config = make_project(tmp_path / "project", portfolio)
    assert zensical.build_site(config, tmp_path / "site").problems == []
    home = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert '<html lang="nb"' in home
    assert "Sporbarhetsmatrise" in home  # our navigation label
    assert "Innholdsliste" in home  # the theme's own label for the table of contents
    assert "Du ser på et eldre øyeblikksbilde" in home  # the older-version banner


def _break_portfolio(project: Path) -> list[str]:
    metric = project / "evidence" / "metrics" / "M01.csv"
    metric.write_text(metric.read_text("utf-8").replace("72.4", "72,4"), "utf-8")
    return ["the portfolio has errors", "M01.csv:"]


def _break_link(project: Path) -> list[str]:
    (docs_dir(project / "mkdocs.yml") / "about.md").write_text("[gone](missing.md)\n", "utf-8")
    return ["zensical: about.md:1:", "page does not exist"]


@pytest.mark.parametrize("breaking", [_break_portfolio, _break_link])
def test_a_failed_zensical_build_leaves_the_previous_site(
    breaking: Callable[[Path], list[str]], sites: tuple[Path, Path, Path, Path], tmp_path: Path
) -> None:
    config, _, site, _ = sites
    project = tmp_path / "broken"
    shutil.copytree(config.parent, project, ignore=shutil.ignore_patterns("mkdocs", "zensical*"))
    shutil.copytree(site, project / "site")
    before = digest_tree(project / "site")
    expected = breaking(project)
    result = zensical.build_site(project / "mkdocs.yml", project / "site")
    assert result.previous_kept
    assert all(part in "\n".join(result.problems) for part in expected), result.problems
    assert digest_tree(project / "site") == before
    assert not list(project.glob(".site-*"))


def _cli(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`code` run by a fresh interpreter (it imports nothing the test process has loaded)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_cli_builds_with_zensical_without_importing_mkdocs(tmp_path: Path) -> None:
    config = make_project(tmp_path / "project", DATA / "minimal")
    done = _cli(
        "import sys\nfrom generator.cli import main\n"
        f"code = main(['site', '--engine', 'zensical', '-f', {str(config)!r}])\n"
        "print('mkdocs loaded' if 'mkdocs' in sys.modules else 'no mkdocs')\nsys.exit(code)\n",
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "certfolio: site built (" in done.stdout and "zensical " in done.stdout
    assert "no mkdocs" in done.stdout
    assert (config.parent / "site" / "index.html").is_file()


def test_without_zensical_installed_the_build_says_so(tmp_path: Path) -> None:
    config = make_project(tmp_path / "project", DATA / "minimal")
    done = _cli(
        "import sys\nsys.modules['zensical'] = None  # as if it were not installed\n"
        "from generator.cli import main\n"
        f"sys.exit(main(['site', '--engine', 'zensical', '-f', {str(config)!r}]))\n",
        tmp_path,
    )
    assert done.returncode == 1
    assert "Zensical is not installed: pip install 'certfolio[zensical]'" in done.stderr
    assert not (config.parent / "site").exists()


def test_the_pdfs_structure_names_do_not_depend_on_chromiums_node_count() -> None:
    """Chromium names tagged elements after DOM node numbers, which shift when a script made
    one node more before printing: renumbered by rank, two such prints are the same bytes,
    as long, and still sorted."""
    from generator.engines.pdf import renumbered_nodes

    def printed(shift: int) -> bytes:
        ids = [596 + shift, 600 + shift, 12 + shift, 596 + shift]
        body = b"".join(b"<</S /TH /ID (node%08d)>>\n" % n for n in ids)
        return b"%PDF-1.4\n" + body + b"/Names [(node%08d) 1 0 R]" % (12 + shift)

    first, second = renumbered_nodes(printed(0)), renumbered_nodes(printed(1))
    assert first == second and len(first) == len(printed(0))
    assert b"(node00000002)" in first and b"(node00000001) 1 0 R" in first
    assert b"(node00000596)" not in first
