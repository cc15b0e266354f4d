"""`certfolio serve` (and `make serve PORT=...`): a busy port is one clear line, and while the
portfolio is invalid the browser gets a page listing the errors instead of waiting forever;
fixing the file brings the site back."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .conftest import DATA
from .test_site import make_project


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return str(response.read().decode("utf-8"))
    except OSError:
        return None


def _wait_for(url: str, text: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    body = None
    while time.monotonic() < deadline:
        body = _get(url)
        if body is not None and text in body:
            return body
        time.sleep(0.3)
    raise AssertionError(f"{text!r} never appeared at {url}; last page: {(body or '')[:500]}")


def _certfolio(*args: str, cwd: Path) -> list[str]:
    return [sys.executable, "-m", "generator", *args]


def test_a_busy_port_is_one_clear_line(tmp_path: Path) -> None:
    config = make_project(tmp_path / "project", DATA / "minimal")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            _certfolio("serve", "-a", f"127.0.0.1:{port}", cwd=config.parent),
            cwd=config.parent,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 2
    assert f"cannot serve on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


@contextmanager
def _serving(project: Path) -> Iterator[str]:
    """`certfolio serve` in `project` on a free port; yields its base URL, stops it after."""
    port = _free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with subprocess.Popen(
        _certfolio("serve", "-a", f"127.0.0.1:{port}", cwd=project),
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    ) as server:
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def test_an_invalid_portfolio_shows_its_errors_then_the_site(tmp_path: Path) -> None:
    config = make_project(tmp_path / "project", DATA / "minimal")
    metric = config.parent / "evidence" / "metrics" / "M1.csv"
    good = metric.read_text("utf-8")
    metric.write_text(good.replace("81.0", "81,0"), "utf-8")
    with _serving(config.parent) as base:
        url = f"{base}/index.html"
        page = _wait_for(url, "The portfolio has errors")
        assert "M1.csv" in page and "E500" in page
        metric.write_text(good, "utf-8")
        _wait_for(url, "Minimal portfolio for tests")


def test_an_edit_while_serving_rebuilds_incrementally_and_keeps_search_whole(
    tmp_path: Path,
) -> None:
    config = make_project(tmp_path / "project", DATA / "minimal")
    evidence = sorted((config.parent / "evidence" / "evidence").glob("*.yaml"))[0]
    text = evidence.read_text("utf-8")
    start = text.index("\ntitle: ") + len("\ntitle: ")
    with _serving(config.parent) as base:
        _wait_for(f"{base}/index.html", "Minimal portfolio for tests")
        index = json.loads(_get(f"{base}/search/search_index.json") or "{}")
        pages = {d["location"].partition("#")[0] for d in index["docs"]}
        evidence.write_text(text[:start] + "Served edit " + text[start:], "utf-8")
        _wait_for(f"{base}/evidence/{evidence.stem}.html", "Served edit")
        _wait_for(f"{base}/search/search_index.json", "Served edit")
        index = json.loads(_get(f"{base}/search/search_index.json") or "{}")
        assert {d["location"].partition("#")[0] for d in index["docs"]} == pages
