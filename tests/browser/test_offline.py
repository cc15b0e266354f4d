"""The offline copy (`certfolio site --offline`): unzipped and opened from `file://` in Chromium
with the network cut off, the site works: navigation, charts, attachments and search.

The zip is built once for the module from the sample. Every request the pages make to anything
but a file is recorded and aborted (and the context is offline besides), so a script, worker or
stylesheet fetched from a CDN fails the test instead of working by luck. The checksum list and
the zip's bytes are checked without a browser.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

import pytest

from generator.engines.incremental import STATE_FILE
from generator.engines.offline import SUMS, build_offline, read_sums, remote_resources
from generator.site.output import MARKER

from ..conftest import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route


@dataclass
class Offline:
    zip_path: Path
    root: Path  # the unzipped site folder
    seconds: float


@pytest.fixture(scope="module")
def offline(tmp_path_factory: pytest.TempPathFactory) -> Offline:
    tmp = tmp_path_factory.mktemp("offline")
    kept = tmp / "site-offline"  # -d: the unzipped site is kept there too
    result = build_offline(ROOT / "mkdocs.yml", kept, zip_path=tmp / "sample-offline.zip")
    assert result.problems == [], result.problems
    assert result.zip_path is not None
    with zipfile.ZipFile(result.zip_path) as archive:
        archive.extractall(tmp / "unzipped")
    (root,) = (tmp / "unzipped").iterdir()
    return Offline(result.zip_path, root, result.timings["total"])


def test_the_zip_is_named_by_portfolio_and_as_of_date(tmp_path: Path, offline: Offline) -> None:
    assert offline.root.name == "HLCS-2025-01-15-offline"
    names = zipfile.ZipFile(offline.zip_path).namelist()
    assert names == [*sorted(names[:-1]), f"{offline.root.name}/{SUMS}"]
    assert all(name.startswith(f"{offline.root.name}/") for name in names)
    assert not any("/." in name for name in names)  # no marker, no incremental state


def test_an_offline_site_keeps_no_incremental_state(offline: Offline) -> None:
    """An offline build is clean and leaves no state, so a later incremental build of the
    same folder cannot reuse its offline pages (nor seed one)."""
    kept = offline.zip_path.parent / "site-offline"
    assert (kept / MARKER).is_file() and not (kept / STATE_FILE).exists()
    assert "iframe-worker-shim.js" in (kept / "index.html").read_text("utf-8")


def test_offline_needs_the_mkdocs_engine() -> None:
    from generator.cli import main

    config = str(ROOT / "mkdocs.yml")
    assert main(["site", "--offline", "--engine", "zensical", "-f", config]) == 2


def test_a_published_release_names_the_zip(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.engines.offline import pack_name

    monkeypatch.delenv("CERTFOLIO_RELEASE", raising=False)
    assert pack_name("HLCS", "2025-01-15", "offline") == "HLCS-2025-01-15-offline"
    monkeypatch.setenv("CERTFOLIO_RELEASE", "audit 2025/1")  # as `certfolio publish` sets it
    assert pack_name("HLCS", "2025-01-15", "binder") == "HLCS-audit-2025-1-binder"


def test_the_checksum_list_names_every_file_with_its_sha256(offline: Offline) -> None:
    sums = read_sums((offline.root / SUMS).read_text("utf-8"))
    files = {
        p.relative_to(offline.root).as_posix(): p
        for p in offline.root.rglob("*")
        if p.is_file() and p.name != SUMS
    }
    assert sums.keys() == files.keys()
    for name, path in files.items():
        assert sums[name] == hashlib.sha256(path.read_bytes()).hexdigest(), name
    assert "assets/javascripts/iframe-worker-shim.js" in sums
    assert "search/search_index.js" in sums


def test_the_zip_is_deterministic(offline: Offline, tmp_path: Path) -> None:
    again = build_offline(ROOT / "mkdocs.yml", zip_path=tmp_path / "again.zip")
    assert again.problems == [] and again.zip_path is not None
    assert again.zip_path.read_bytes() == offline.zip_path.read_bytes()
    with zipfile.ZipFile(again.zip_path) as archive:
        infos = archive.infolist()
    assert len({info.date_time for info in infos}) == 1
    assert {info.external_attr >> 16 for info in infos} == {0o100644}


def test_nothing_is_loaded_from_the_network(offline: Offline) -> None:
    assert remote_resources(offline.root) == []
    page = (offline.root / "index.html").read_text("utf-8")
    assert "unpkg.com" not in page and "iframe-worker-shim.js" in page


def test_a_remote_script_is_found(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(
        '<script src="https://unpkg.com/iframe-worker/shim"></script>'
        '<a href="https://example.org/">a link is fine</a>',
        "utf-8",
    )
    assert remote_resources(tmp_path) == [
        "a.html: loads https://unpkg.com/iframe-worker/shim from the network"
    ]


def test_an_offline_zip_never_replaces_another_file(offline: Offline, tmp_path: Path) -> None:
    from generator.engines.offline import write_zip
    from generator.errors import UsageError

    precious = tmp_path / "notes.zip"
    precious.write_bytes(b"not ours")
    with pytest.raises(UsageError, match="not an offline zip written by certfolio"):
        write_zip(offline.root, precious, "x", 0)
    assert precious.read_bytes() == b"not ours"


# --- in the browser ---------------------------------------------------------------------


@pytest.fixture
def tab(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A page in an offline context that aborts (and records) every request but file://."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
    refused: list[str] = []

    def block(route: Route) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    context.route("**/*", block)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page, refused
    context.close()
    assert errors == []


def _url(path: Path) -> str:
    return path.as_uri()


@pytest.mark.browser
def test_navigation_works_from_file(offline: Offline, tab: tuple[Page, list[str]]) -> None:
    page, refused = tab
    page.goto(_url(offline.root / "index.html"))
    page.locator(".md-nav--primary a[href='metrics/index.html']").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/metrics/index.html")
    assert page.locator("article h1").count() == 1
    page.locator("article a[href='M13.html']").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/metrics/M13.html")
    assert refused == []


@pytest.mark.browser
def test_a_chart_loads_from_file(offline: Offline, tab: tuple[Page, list[str]]) -> None:
    page, refused = tab
    page.goto(_url(offline.root / "metrics" / "M13.html"))
    chart = page.locator('img[src="M13.svg"]').first
    chart.wait_for()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
    )
    assert refused == []


@pytest.mark.browser
def test_an_attachment_link_resolves(offline: Offline, tab: tuple[Page, list[str]]) -> None:
    page, refused = tab
    page.goto(_url(offline.root / "evidence" / "EV-011.html"))
    link = page.locator("article a[href*='files/attachments/']").first
    href = link.evaluate("a => a.href")
    target = Path(unquote(urlparse(href).path))
    assert target.is_file() and offline.root in target.parents
    page.goto(href)
    assert page.url == href
    assert target.read_text("utf-8").split()[0] in page.inner_text("body")
    assert refused == []


@pytest.mark.browser
def test_search_works_from_file_with_no_network(
    offline: Offline, tab: tuple[Page, list[str]]
) -> None:
    page, refused = tab
    page.goto(_url(offline.root / "index.html"))
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("M13", delay=20)  # Material listens to keys, not to fill()
    first = page.locator(".md-search-result__list > li a").first
    first.wait_for(timeout=15_000)
    href = first.get_attribute("href") or ""
    assert href.split("?")[0].split("#")[0].endswith("metrics/M13.html"), href
    # Material's own results too (its worker runs in the iframe shim), not only the ID hit
    theirs = page.locator(".md-search-result__list > li:not(.cf-id-hit)")
    theirs.first.wait_for(timeout=15_000)
    assert "M13" in theirs.first.inner_text()
    assert refused == []
