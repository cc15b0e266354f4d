"""`certfolio publish`: a version per audit, pushed to a (local, bare) remote, each recording its
source commit and the version before it, the second with a page of the changes since the first;
`latest` redirects to the newest; the version selector shows the as-of dates."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DATA
from .test_site import make_project


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    config = make_project(tmp_path / "project", DATA / "minimal")
    project = config.parent
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "NO_MKDOCS_2_WARNING": "1",
        "GIT_AUTHOR_NAME": "CI",
        "GIT_AUTHOR_EMAIL": "ci@example.invalid",
        "GIT_COMMITTER_NAME": "CI",
        "GIT_COMMITTER_EMAIL": "ci@example.invalid",
    }
    remote = tmp_path / "remote.git"
    for args in (
        ["git", "init", "-q", "--bare", str(remote)],
        ["git", "init", "-q", "-b", "main", str(project)],
    ):
        subprocess.run(args, env=env, check=True, capture_output=True)
    for args in (
        ["git", "remote", "add", "origin", str(remote)],
        ["git", "add", "-A"],
        ["git", "commit", "-q", "-m", "first audit"],
    ):
        subprocess.run(args, cwd=project, env=env, check=True, capture_output=True)
    return project, env


def _certfolio(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _show(remote: Path, path: str) -> str:
    done = subprocess.run(
        ["git", "show", f"gh-pages:{path}"], cwd=remote, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_two_versions_with_a_changes_page(repo: tuple[Path, dict[str, str]]) -> None:
    project, env = repo
    first = _certfolio(["publish", "2025.1", "--push"], project, env)
    assert first.returncode == 0, first.stderr
    requirement = project / "evidence" / "requirements" / "AA" / "AA-01.yaml"
    text = requirement.read_text("utf-8")
    requirement.write_text(text.replace("Something is done", "Something else is done"), "utf-8")
    subprocess.run(["git", "commit", "-q", "-am", "reword AA-01"], cwd=project, env=env, check=True)
    second = _certfolio(["publish", "2025.2", "--push"], project, env)
    assert second.returncode == 0, second.stderr
    assert "changes since 2025.1" in second.stdout

    remote = project.parent / "remote.git"
    versions = json.loads(_show(remote, "versions.json"))
    assert [v["version"] for v in versions] == ["2025.2", "2025.1"]
    assert versions[0]["aliases"] == ["latest"]
    assert all(re.search(r"\(as of \d{4}-\d{2}-\d{2}\)", v["title"]) for v in versions)
    assert "2025.2" in _show(remote, "latest/index.html")  # a redirect to the newest

    manifest = json.loads(_show(remote, "2025.2/manifest.json"))
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert manifest["source_commit"] == head
    assert manifest["release"] == {"version": "2025.2", "previous": "2025.1"}
    assert "release" in json.loads(_show(remote, "2025.1/manifest.json"))

    changes = _show(remote, "2025.2/changes.html")
    assert "Changes since 2025.1" in changes and "AA-01" in changes
    assert 'href="changes.html"' in _show(remote, "2025.2/index.html")
    assert "changes.html" not in _show(remote, "2025.1/index.html")  # nothing before it
