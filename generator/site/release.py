"""A published version of the site: which one it is, and the one before it.

`certfolio publish` tells the build through environment variables (`RELEASE_ENV`), since mike
runs the build; `Release.from_environment` reads them back. A release is recorded in the
version's `manifest.json`, and the build adds a "Changes since VERSION" page when the previous
version's source commit is known.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from generator.review.report import changes_markdown
from generator.site.escape import md_inline

#: The environment variables `publish` sets for the build that mike runs.
RELEASE_ENV = ("CERTFOLIO_RELEASE", "CERTFOLIO_PREVIOUS_RELEASE", "CERTFOLIO_PREVIOUS_COMMIT")


@dataclass(frozen=True)
class Release:
    """The version being built, and the one before it (with the commit it was built from)."""

    version: str
    previous: str | None = None
    previous_commit: str | None = None

    @classmethod
    def from_environment(cls) -> Release | None:
        version, previous, commit = (os.environ.get(name) or None for name in RELEASE_ENV)
        return cls(version, previous, commit) if version else None


def changes_since(release: Release, portfolio_dir: Path, as_of: dt.date) -> tuple[str, str] | None:
    """(previous version, the Markdown report of what changed since its commit), or None
    when this is the first version or the previous commit is unknown."""
    if release.previous is None or release.previous_commit is None:
        return None
    markdown = changes_markdown(
        portfolio_dir,
        release.previous_commit,
        as_of,
        inline=md_inline,
        site_url=".",  # links to the pages of this very version
        suffix=".md",
        fold=False,  # Markdown inside <details> would stay unrendered
    )
    return release.previous, markdown
