"""The sample site in a real browser: built once per session, served over HTTP, opened in Chromium.

Three sites, each built once: the sample in English, the sample in Norwegian (a copy of the
portfolio with `language: nb`), and the English sample as a mike deployment would publish it
(built with `MIKE_DOCS_VERSION` set, as `mike deploy` does, under a version folder beside a
`versions.json` that names a newer version `latest`, so the older-version banner and the
version selector show). Each is served by a threaded `http.server` on 127.0.0.1 at a random
port, and one Chromium (Debian's, driven by Playwright) serves every test.

What the tests need from outside Python, `make browser-deps` installs: Chromium (apt) and
axe-core (npm, pinned by package-lock.json); CERTFOLIO_CHROMIUM names another Chromium. Without
them the tests skip and say why; with `CI=true` they fail instead, so CI cannot pass without
running them. `pytest -m "not browser"` leaves them out.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from generator.engines.mkdocs import build_site

from ..conftest import ROOT, SAMPLE
from ..test_site import make_project

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Request, Response

HERE = Path(__file__).parent
CHROMIUM = Path(os.environ.get("CERTFOLIO_CHROMIUM", "/usr/bin/chromium"))
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI") == "true"
#: the version the mike-style deployment's pages are, and the newer one `latest` points at
DEPLOYED, LATEST = "2025.1", "2025.2"


def unavailable(reason: str) -> NoReturn:
    """Skip with the reason, or fail under CI=true: there the browser tests must run."""
    hint = "`make browser-deps` installs Chromium and axe-core"
    if IN_CI:
        pytest.fail(f"{reason}; CI=true needs the browser tests: {hint}", pytrace=False)
    pytest.skip(f"{reason}; {hint}")


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        unavailable(f"axe-core is not installed ({AXE.relative_to(ROOT)} is missing)")
    return AXE.read_text("utf-8")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (the `test` extras have it)")
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"Chromium is not installed ({CHROMIUM} is missing)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


def _serve(root: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            # Chromium asks the server root for /favicon.ico after a page without an icon
            # link (an SVG opened alone, mike's root redirect): not the site's file, and its
            # 404 would land on whichever page the shared tab shows next
            if self.path == "/favicon.ico":
                self.send_response(204)
                self.end_headers()
                return
            super().do_GET()

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _built(config: Path, target: Path) -> Path:
    result = build_site(config, target)
    assert result.problems == [], result.problems
    return target


@pytest.fixture(scope="session")
def en_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of the sample site in English, built as `make site` builds it."""
    site = _built(ROOT / "mkdocs.yml", tmp_path_factory.mktemp("en") / "site")
    yield from _serve(site)


@pytest.fixture(scope="session")
def nb_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of the sample site in Norwegian."""
    tmp = tmp_path_factory.mktemp("nb")
    portfolio = tmp / "portfolio"
    shutil.copytree(SAMPLE, portfolio, symlinks=True)
    settings = portfolio / "portfolio.yaml"
    text = settings.read_text("utf-8")
    settings.write_text(re.sub(r"(?m)^language: \w+$", "language: nb", text), "utf-8")
    site = _built(make_project(tmp / "project", portfolio), tmp / "site")
    yield from _serve(site)


@pytest.fixture(scope="session")
def mike_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of version DEPLOYED in a mike-style deployment where LATEST is `latest`.

    The build runs with MIKE_DOCS_VERSION set, as `mike deploy` runs it. The deployment root
    has what mike writes there: versions.json (titled as `certfolio publish` titles versions)
    and an index.html that redirects to latest/. LATEST and latest/ are the same build (links:
    no test compares versions)."""
    root = tmp_path_factory.mktemp("deployment")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MIKE_DOCS_VERSION", DEPLOYED)
        _built(ROOT / "mkdocs.yml", root / DEPLOYED)
    for alias in (LATEST, "latest"):
        (root / alias).symlink_to(DEPLOYED, target_is_directory=True)
    versions = [
        {"version": LATEST, "title": f"{LATEST} (as of 2025-06-30)", "aliases": ["latest"]},
        {"version": DEPLOYED, "title": f"{DEPLOYED} (as of 2025-01-15)", "aliases": []},
    ]
    (root / "versions.json").write_text(json.dumps(versions), "utf-8")
    (root / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>Redirecting</title>'
        '<meta http-equiv="refresh" content="0; url=latest/"></head><body></body></html>',
        "utf-8",
    )
    for base in _serve(root):
        yield f"{base}{DEPLOYED}/"


@dataclass
class Visit:
    """What one page load did: axe's violations that count, and every error."""

    url: str
    violations: list[dict[str, Any]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def report(self) -> str:
        lines = [f"{self.url}:"]
        for v in self.violations:
            lines.append(f"  axe {v['id']} [{v['impact']}] {v['help']} ({v['helpUrl']})")
            for node in v["nodes"][:8]:
                summary = " ".join(str(node.get("failureSummary", "")).split())
                lines.append(f"    {' > '.join(map(str, node['target']))}: {summary[:300]}")
            if len(v["nodes"]) > 8:
                lines.append(f"    … and {len(v['nodes']) - 8} more")
        lines += [f"  page error: {e}" for e in self.page_errors]
        lines += [f"  console error: {e}" for e in self.console_errors]
        lines += [f"  failed request: {e}" for e in self.failed_requests]
        return "\n".join(lines)

    @property
    def clean(self) -> bool:
        return not (
            self.violations or self.page_errors or self.console_errors or self.failed_requests
        )


#: WCAG 2.1 A and AA, and axe's best practices (the search dialog's name is one)
AXE_RUN = """async () => await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    resultTypes: ["violations"],
})"""
#: what fails a page: a serious or critical violation, or any of these once fixed
COUNTED_IMPACTS = {"serious", "critical"}
ALWAYS_COUNTED = {"empty-table-header", "heading-order"}


class Tab:
    """One page at one viewport, reused from URL to URL (as an auditor browses), recording
    script errors, console errors and failed requests to the site for the current visit."""

    def __init__(self, browser: Browser, viewport: dict[str, int]) -> None:
        self.context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
        self.page = self.context.new_page()
        self.current = Visit("")
        self.pending: set[Request] = set()
        self.page.on("pageerror", lambda error: self.current.page_errors.append(str(error)))
        self.page.on("console", self._console)
        self.context.on("request", lambda request: self.pending.add(request))
        self.context.on("requestfinished", lambda request: self.pending.discard(request))
        self.context.on("requestfailed", self._failed)
        self.context.on("response", self._response)

    def _own(self, url: str) -> bool:
        origin = re.match(r"https?://[^/]+/", self.current.url)
        return origin is not None and url.startswith(origin.group(0))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url")
            self.current.console_errors.append(f"{message.text} ({where})")

    def _response(self, response: Response) -> None:
        if self._own(response.url) and response.status >= 400:
            self.current.failed_requests.append(f"{response.status} {response.url}")

    def _failed(self, request: Request) -> None:
        self.pending.discard(request)
        if self._own(request.url):
            self.current.failed_requests.append(f"{request.failure} {request.url}")

    def settle(self) -> None:
        """Wait for the requests still under way (the search index, versions.json)."""
        for _ in range(200):
            if not self.pending:
                return
            self.page.wait_for_timeout(25)
        self.current.failed_requests += [f"still loading after 5 s: {r.url}" for r in self.pending]

    def open(self, url: str, ready: str | None = None) -> Visit:
        self.settle()
        self.current = Visit(url)
        response = self.page.goto(url, wait_until="load")
        assert response is not None, url
        if not response.ok:
            self.current.failed_requests.append(f"{response.status} {url}")
        if ready:
            self.page.wait_for_selector(ready, state="attached", timeout=10_000)
        return self.current


@pytest.fixture(scope="session")
def tabs(browser: Browser) -> Iterator[Callable[[str], Tab]]:
    """The tab for a viewport name ("desktop" 1280x900, "phone" 390x844), opened once."""
    sizes = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
    opened: dict[str, Tab] = {}

    def tab(viewport: str) -> Tab:
        if viewport not in opened:
            opened[viewport] = Tab(browser, sizes[viewport])
        return opened[viewport]

    yield tab
    for each in opened.values():
        each.context.close()


@pytest.fixture(scope="session")
def audit(tabs: Callable[[str], Tab], axe_source: str) -> Callable[..., Visit]:
    """Open a URL in a viewport's tab, run axe on it, and return what counts against it:
    violations, page errors, console errors and failed requests to the site itself (a
    response of 400 or more, or none at all). `ready`: a selector to wait for first."""

    def run(url: str, viewport: str, ready: str | None = None) -> Visit:
        tab = tabs(viewport)
        seen = tab.open(url, ready)
        tab.page.add_script_tag(content=axe_source)
        result = tab.page.evaluate(AXE_RUN)
        seen.violations = [
            v
            for v in result["violations"]
            if v["impact"] in COUNTED_IMPACTS or v["id"] in ALWAYS_COUNTED
        ]
        tab.settle()
        return seen

    return run
