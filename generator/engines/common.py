"""What every site engine shares, without importing any engine: the build result, the
navigation, the packaged theme assets, and the team's own pages.

The MkDocs adapter and the Zensical adapter both build the same site from the same
`generator.site` output; what they must agree on lives here, so an adapter never imports
another (importing the MkDocs adapter loads MkDocs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from generator.site.build import Site
from generator.site.i18n import Labels

#: The stylesheet the site gets from the package (a docs_dir copy of the same path wins).
STYLESHEET = "stylesheets/certfolio.css"


@dataclass
class BuildResult:
    """What a site build did: the problems that stopped it, seconds per stage, and whether a
    previous site stands at the target (after a failure: the one that was there before)."""

    problems: list[str]
    timings: dict[str, float] = field(default_factory=dict)
    previous_kept: bool = False


def packaged(name: str) -> Path:
    """A folder of the site templates shipped with certfolio (`pages`, `overrides`, `assets`)."""
    return Path(str(resources.files("site_templates").joinpath(name)))


def own_pages(docs: Path, site: Site) -> list[str]:
    """The team's hand-written pages in docs_dir (dot-files and dot-folders left out), by path,
    except any the generator makes."""
    own = sorted(
        p.relative_to(docs).as_posix()
        for p in docs.rglob("*.md")
        if not any(part.startswith(".") for part in p.relative_to(docs).parts)
    )
    return [page for page in own if page not in site.pages]


def navigation(site: Site, labels: Labels, own: list[str]) -> list[Any]:
    """The site's navigation: home, one section per kind of record (its register first), the
    owners, the traceability matrix and the warnings page, then the team's own pages."""

    def section(folder: str) -> list[str]:
        index = f"{folder}/index.md"
        return [index, *(p for p in site.pages if p.startswith(f"{folder}/") and p != index)]

    nav: list[Any] = [{labels["home"]: "index.md"}]
    if "changes.md" in site.pages:  # a published version: what changed since the last
        nav.append({labels["changes_since"]: "changes.md"})
    nav += [{labels[f]: section(f)} for f in ("categories", "requirements", "evidence")]
    nav += [{labels[f]: section(f)} for f in ("metrics", "findings")]
    nav += [{labels["owners"]: "owners.md"}, {labels["traceability"]: "traceability.md"}]
    if "warnings.md" in site.pages:
        nav.append({labels["readiness_warnings"]: "warnings.md"})
    return nav + [page for page in own if page not in site.pages]
