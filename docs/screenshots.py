"""Screenshots of the sample site for the README: `make screenshots` rewrites docs/screenshots/.

Builds the sample portfolio (`evidence/`) into a temporary folder, serves it on a local port
and photographs, in Debian's Chromium through Playwright, the home page, a partly met
requirement (PR-08) and the metric M13 at desktop (1280x900) and phone (390x844) size, the
whole page each. Needs what the browser tests need (`make browser-deps`).
"""

from __future__ import annotations

import functools
import http.server
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PAGES = {
    "home": "index.html",
    "requirement-PR-08": "requirements/PR-08.html",
    "metric-M13": "metrics/M13.html",
}
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main() -> int:
    from playwright.sync_api import sync_playwright

    from generator.engines.mkdocs import build_site

    os.environ.setdefault("SOURCE_DATE_EPOCH", "1736899200")
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        result = build_site(ROOT / "mkdocs.yml", site)
        if result.problems:
            print("\n".join(result.problems), file=sys.stderr)
            return 1

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site))
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            for size, (width, height) in VIEWPORTS.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                for name, path in PAGES.items():
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    target = OUT / f"{name}-{size}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(f"wrote {target.relative_to(ROOT)}")
                page.close()
            browser.close()
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
