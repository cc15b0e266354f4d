"""`certfolio publish`: a version of the site per audit, with mike, and what changed since the last.

`publish` finds the newest version already on the deployment branch and the commit it was
built from (its `manifest.json` says), then runs `mike deploy` for the new version with the
as-of date in its title (the version selector shows it). The build learns about the release
through `RELEASE_ENV`: the plugin records the version and the previous one in the new
version's manifest and adds a "Changes since VERSION" page, the diff of the portfolio between
the previous version's commit and this one, linked from the home page.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from generator.errors import CertfolioError, UsageError
from generator.site.release import RELEASE_ENV


def _git(args: list[str], cwd: Path) -> str | None:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
    )
    return done.stdout if done.returncode == 0 else None


def previous_release(project: Path, branch: str, version: str) -> tuple[str | None, str | None]:
    """The newest version on `branch` other than `version`, and its source commit."""
    listed = _git(["show", f"{branch}:versions.json"], project)
    if listed is None:
        return None, None
    versions = [v["version"] for v in json.loads(listed) if v.get("version") != version]
    if not versions:
        return None, None
    previous = versions[0]  # mike lists the newest first
    manifest = _git(["show", f"{branch}:{previous}/manifest.json"], project)
    commit = json.loads(manifest).get("source_commit") if manifest else None
    return previous, commit


@dataclass(frozen=True)
class Published:
    version: str
    previous: str | None
    title: str


def publish(
    config_file: Path,
    version: str,
    *,
    alias: str | None = "latest",
    title: str | None = None,
    as_of: str | None = None,
    push: bool = False,
    branch: str = "gh-pages",
) -> Published:
    """Deploy the site as `version` with mike (redirect aliases, as mkdocs.yml configures)."""
    project = config_file.absolute().parent
    if _git(["rev-parse", "HEAD"], project) is None:
        raise UsageError(f"{project} is not a git repository with a commit; mike needs one")
    previous, commit = previous_release(project, branch, version)
    shown = title or (f"{version} (as of {as_of})" if as_of else version)
    bin_dir = Path(sys.executable).parent  # mike runs the mkdocs installed beside it
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    env.update(zip(RELEASE_ENV, (version, previous or "", commit or ""), strict=True))
    command = [str(bin_dir / "mike"), "deploy", "--config-file", str(config_file.absolute())]
    command += ["--branch", branch, "--title", shown]
    if alias:
        command += ["--update-aliases", version, alias]
    else:
        command.append(version)
    if push:
        command.append("--push")
    done = subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, check=False, timeout=1800
    )
    if done.returncode != 0:
        lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        raise CertfolioError(f"mike could not deploy version {version}:", lines[-15:])
    return Published(version, previous, shown)
