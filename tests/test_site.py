"""The auditor site end to end: MkDocs builds it, and what an auditor clicks works.

The sample is built twice (into two folders) from a copy of the project, so the tests can check
pages, links and anchors with an HTML parser, byte-identical rebuilds, and that a failed build
leaves the previous site untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from generator.engines.mkdocs import build_site

from .conftest import DATA, ROOT


def make_project(tmp: Path, portfolio: Path) -> Path:
    """A copy of the project's site configuration around `portfolio`, in `tmp`."""
    tmp.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", tmp / "mkdocs.yml")
    shutil.copytree(
        ROOT / "site_templates",
        tmp / "site_templates",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copytree(portfolio, tmp / "evidence", symlinks=True)
    return tmp / "mkdocs.yml"


def digest_tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


class Html(HTMLParser):
    """Links, ids and visible text of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, url)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and found.get("name"):
            self.ids.add(str(found["name"]))
        for name in ("href", "src"):
            if found.get(name) is not None:
                self.links.append((tag, name, str(found[name])))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text))


def parse(path: Path) -> Html:
    page = Html()
    page.feed(path.read_text("utf-8"))
    return page


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, Path]]:
    """The sample built twice: (project config, first site, second site)."""
    tmp = tmp_path_factory.mktemp("project")
    config = make_project(tmp, ROOT / "evidence")
    assert build_site(config, tmp / "site").problems == []
    assert build_site(config, tmp / "site2").problems == []
    yield config, tmp / "site", tmp / "site2"


def test_every_record_has_its_page(built: tuple[Path, Path, Path]) -> None:
    _, site, _ = built
    sample = ROOT / "evidence"
    for folder, glob in (
        ("requirements", "requirements/*/*.yaml"),
        ("evidence", "evidence/*.yaml"),
        ("metrics", "metrics/*.yaml"),
        ("findings", "findings/*.yaml"),
    ):
        ids = sorted(p.stem for p in sample.glob(glob))
        assert ids, folder
        for ident in ids:
            page = site / folder / f"{ident}.html"
            assert page.is_file(), page
            assert ident in parse(page).visible
    for page in (
        "index.html",
        "owners.html",
        "traceability.html",
        "evidence/index.html",
        "findings/index.html",
        "metrics/index.html",
        "categories/LP.html",
        "manifest.json",
        "assessment.json",
        "sitemap.xml",
        "search/search_index.json",
    ):
        assert (site / page).is_file(), page


def page_is_banner(page: Html, url: str) -> bool:
    """The outdated-version banner links above the version folder (mike)."""
    return any(
        t == "a" and a.get("class") == "cf-latest" and a.get("href") == url for t, a in page.tags
    )


def checked_links(site: Path) -> Iterator[tuple[Path, Path]]:
    """Every internal link of every page as (page, target), from the site folder, each
    checked to resolve (and its anchor to exist)."""
    pages: dict[Path, Html] = {p: parse(p) for p in site.rglob("*.html")}
    for path, page in pages.items():
        for tag, attribute, url in page.links:
            parts = urlsplit(url)
            if parts.scheme or url.startswith(("//", "mailto:")):
                continue
            if parts.path.endswith("versions.json") or page_is_banner(page, url):
                continue  # versions.json is written by mike on deploy, not by a plain build
            if parts.path.startswith("/"):  # 404.html links from the server root
                target = (site / unquote(parts.path).lstrip("/")).resolve()
            else:
                target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{path.relative_to(site)}: {tag} {attribute}={url}"
            if parts.fragment and target.suffix == ".html":
                assert unquote(parts.fragment) in pages[target].ids, (
                    f"{path.relative_to(site)}: no anchor #{parts.fragment} in "
                    f"{target.relative_to(site)}"
                )
            yield path.relative_to(site), target.relative_to(site.resolve())


def site_links(site: Path) -> dict[Path, set[Path]]:
    """Every page's internal link targets (`checked_links`)."""
    found: dict[Path, set[Path]] = {p.relative_to(site): set() for p in site.rglob("*.html")}
    for page, target in checked_links(site):
        found[page].add(target)
    return found


def test_every_internal_link_and_anchor_resolves(built: tuple[Path, Path, Path]) -> None:
    _, site, _ = built
    assert sum(1 for _ in checked_links(site)) > 2000


def test_m13_page_shows_the_falling_run_and_the_limit_breach(
    built: tuple[Path, Path, Path],
) -> None:
    _, site, _ = built
    page = parse(site / "metrics" / "M13.html")
    text = page.visible
    # each signal on a line of its own, in plain words (the domain notes' falling run of 8
    # from May to December and the two months below the 2024 lower limit)
    assert "2024-05 – 2024-12: 7 months in a row, each lower than the one before" in text
    assert "2024-11: below the lower control limit (phase 2), in the worse direction" in text
    assert "2024-12: below the lower control limit (phase 2), in the worse direction" in text
    assert "not met" in text
    images = [a for t, a in page.tags if t == "img" and str(a.get("src")).endswith("M13.svg")]
    assert images and "91.39" in str(images[0]["alt"])
    assert (site / "metrics" / "M13.svg").read_bytes().startswith(b"<?xml")
    assert b"2024-12" in (site / "metrics" / "M13.csv").read_bytes()


def test_pe_04_is_partly_met_because_of_f_03(built: tuple[Path, Path, Path]) -> None:
    _, site, _ = built
    page = parse(site / "requirements" / "PE-04.html")
    assert "◐ partly met" in page.visible
    assert "minor finding F-03 implemented" in page.visible
    assert any(url == "../findings/F-03.html" for _, _, url in page.links)
    finding = parse(site / "findings" / "F-03.html")
    assert any(url == "../requirements/PE-04.html" for _, _, url in finding.links)


def test_attachments_are_published_with_size_and_hash(built: tuple[Path, Path, Path]) -> None:
    _, site, _ = built
    manifest = json.loads((site / "manifest.json").read_text("utf-8"))
    published = [i for i in manifest["inputs"] if i["published"]]
    assert len(published) == 6
    for item in published:
        content = (site / item["published"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == item["sha256"]
    page = parse(site / "evidence" / "EV-001.html")
    assert (
        hashlib.sha256(
            (site / "files/attachments/EV-001-mission-vision.md").read_bytes()
        ).hexdigest()
        in page.visible
    )
    assert not (site / "files/attachments/EV-001-mission-vision.html").exists()
    inputs = [i for i in manifest["inputs"] if not i["published"]]
    assert len(inputs) == 128  # with reviews.yaml and requests.yaml


def test_building_twice_gives_identical_sites(built: tuple[Path, Path, Path]) -> None:
    _, site, site2 = built
    first, second = digest_tree(site), digest_tree(site2)
    assert first.keys() == second.keys()
    assert first == second
    assert "sitemap.xml.gz" in first


def test_a_failed_build_leaves_the_previous_site(
    built: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    config, site, _ = built
    project = tmp_path / "broken"
    shutil.copytree(config.parent, project, ignore=shutil.ignore_patterns("site", "site2"))
    shutil.copytree(site, project / "site")
    before = digest_tree(project / "site")
    metric = project / "evidence" / "metrics" / "M01.csv"
    metric.write_text(metric.read_text("utf-8").replace("72.4", "72,4"), "utf-8")
    problems = build_site(project / "mkdocs.yml", project / "site").problems
    assert problems and "M01.csv" in "\n".join(problems)
    assert digest_tree(project / "site") == before
    assert not list(project.glob(".site-*"))


HOSTILE = (
    "<script>alert(1)</script> [x](javascript:alert(2)) { onclick=alert(3) } a | b "
    "{{ 7*7 }} **b** <img src=x onerror=alert(4)>"
)


def _poison(text: str, skip: tuple[str, ...] = ()) -> str:
    """Append the payload to every user-text value of a YAML file (keeps it valid)."""
    out = []
    text_fields = (
        "title",
        "wording",
        "description",
        "notes",
        "rationale",
        "text",
        "label",
        "source",
        "root_cause",
        "correction",
        "criterion",
        "result",
        "name",
        "role",
        "note",
        "audit",
        "location",
    )
    for line in text.splitlines():
        match = re.match(r"^(\s*(?:- )?)(\w+): (.+)$", line)
        if (
            match
            and match.group(2) in text_fields
            and match.group(2) not in skip
            and not match.group(3).startswith(">")
        ):
            value = match.group(3).strip().strip('"')
            line = f'{match.group(1)}{match.group(2)}: "{value} {HOSTILE}"'
        out.append(line)
    return "\n".join(out) + "\n"


def test_hostile_text_is_shown_never_run(tmp_path: Path) -> None:
    portfolio = tmp_path / "portfolio"
    shutil.copytree(DATA / "minimal", portfolio)
    for path in portfolio.rglob("*.yaml"):
        skip = ("source",) if path.parent.name == "findings" else ()  # an enum there
        path.write_text(_poison(path.read_text("utf-8"), skip), "utf-8")
    config = make_project(tmp_path / "project", portfolio)
    assert build_site(config, tmp_path / "site").problems == []
    pages = list((tmp_path / "site").rglob("*.html"))
    seen = 0
    for path in pages:
        html = path.read_text("utf-8")
        page = parse(path)
        for tag, attrs in page.tags:
            assert not any(name.startswith("on") for name in attrs), (path, tag, attrs)
            for name in ("href", "src"):
                value = str(attrs.get(name) or "").strip().lower()
                assert not value.startswith(("javascript:", "data:", "vbscript:")), path
            if tag == "img":
                assert str(attrs.get("src", "")).endswith((".svg", ".png")), (path, attrs)
        assert "alert(1)</script>" not in html.replace("&lt;script&gt;", "")
        seen += page.visible.count(HOSTILE)
    assert seen > 20  # the payload is visible, as typed, in many places


def test_material_speaks_the_portfolio_language(tmp_path: Path) -> None:
    portfolio = tmp_path / "portfolio"
    shutil.copytree(DATA / "minimal", portfolio)
    config_file = portfolio / "portfolio.yaml"
    config_file.write_text(
        config_file.read_text("utf-8").replace("language: en", "language: nb"), "utf-8"
    )
    config = make_project(tmp_path / "project", portfolio)
    assert build_site(config, tmp_path / "site").problems == []
    home = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert '<html lang="nb"' in home
    assert "Sporbarhetsmatrise" in home  # our navigation label
    assert "Innholdsliste" in home  # Material's own label for the table of contents
    assert "Du ser på et eldre øyeblikksbilde" in home  # the older-version banner
    index = json.loads((tmp_path / "site" / "search" / "search_index.json").read_text("utf-8"))
    assert index["config"]["lang"] == ["no"]  # Material's search speaks Norwegian too


def test_serve_watches_the_portfolio_and_the_templates(tmp_path: Path) -> None:
    from generator.engines.mkdocs import CertfolioPlugin

    (tmp_path / "p").mkdir()
    (tmp_path / "t").mkdir()
    plugin = CertfolioPlugin()
    errors, _ = plugin.load_config(
        {"portfolio": str(tmp_path / "p"), "templates": str(tmp_path / "t")}
    )
    assert errors == []

    class Server:
        def __init__(self) -> None:
            self.watched: list[str] = []

        def watch(self, path: str) -> None:
            self.watched.append(path)

    server = Server()
    plugin.on_serve(server, config=None, builder=None)  # type: ignore[arg-type]
    default_pages = str(ROOT / "site_templates" / "pages")
    assert server.watched == [str(tmp_path / "p"), default_pages, str(tmp_path / "t")]
    errors, _ = CertfolioPlugin().load_config({"portfolio": str(tmp_path / "missing")})
    assert errors and errors[0][0] == "portfolio"


def test_mike_deploys_a_version_without_symlinks(tmp_path: Path) -> None:
    config = make_project(tmp_path / "project", DATA / "minimal")
    project = config.parent
    bin_dir = Path(sys.executable).parent  # mike runs the mkdocs installed beside it
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "NO_MKDOCS_2_WARNING": "1",
        "GIT_AUTHOR_NAME": "CI",
        "GIT_AUTHOR_EMAIL": "ci@example.invalid",
        "GIT_COMMITTER_NAME": "CI",
        "GIT_COMMITTER_EMAIL": "ci@example.invalid",
    }

    def run(*args: str) -> str:
        done = subprocess.run(
            args, cwd=project, env=env, capture_output=True, text=True, check=False, timeout=300
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("git", "init", "-q", "-b", "main")
    run("git", "add", "-A")
    run("git", "commit", "-q", "-m", "portfolio")
    mike = str(Path(sys.executable).with_name("mike"))
    run(mike, "deploy", "--update-aliases", "2025.1", "latest")
    tree = run("git", "ls-tree", "-r", "gh-pages")
    assert "2025.1/index.html" in tree and "2025.1/requirements/AA-01.html" in tree
    assert "latest/index.html" in tree and "versions.json" in tree
    assert " 120000 " not in f" {tree}" and "\n120000 " not in tree  # no symlinks


def test_a_second_build_while_one_runs_fails_fast(tmp_path: Path) -> None:
    import fcntl

    config = make_project(tmp_path / "project", DATA / "minimal")
    with open(tmp_path / ".site.lock", "a+", encoding="utf-8") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("4242")
        held.flush()
        result = build_site(config, tmp_path / "site")
    assert result.problems == [f"a build of {tmp_path / 'site'} is already running (pid 4242)"]
    assert not (tmp_path / "site").exists()
    assert build_site(config, tmp_path / "site").problems == []  # the lock was released
