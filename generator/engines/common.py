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


#: Folders whose record pages stay out of the navigation: each is reached from its register
#: (the folder's index page) and from every page that links it.
RECORD_FOLDERS = ("requirements", "evidence", "metrics", "findings")


#: Folders of register pages split for size (traceability per category, one page per owner,
#: the warnings per code, the auditor request list, the results by scope), reached from the
#: register's first page.
SPLIT_FOLDERS = ("traceability", "owners", "warnings", "requests", "scopes")


def in_navigation(page: str) -> bool:
    """False for a record page (and the pages a large register is split into): listing every
    record in the navigation puts every page on every page (the site grows with pages
    squared); registers and links reach them instead."""
    folder, _, rest = page.partition("/")
    if folder == "coverage":  # a standard's page, not the pages a long one is split into
        return "/" not in rest
    if folder == "suppliers":  # a VMO's suppliers: the list and the comparison, not each
        return rest in ("index.md", "comparison.md")
    hidden = (*RECORD_FOLDERS, *SPLIT_FOLDERS)
    return not (folder in hidden and rest and rest != "index.md")


def navigation(site: Site, labels: Labels, own: list[str]) -> list[Any]:
    """The site's navigation, the same size whatever the portfolio's: home, about, the journey
    (readiness by month), the categories (each with its requirements on its page), one register
    per kind of record, the owners, the traceability matrix, the glossary and the warnings
    page, then the team's own pages.
    Record pages are reached from their registers and by links (`in_navigation`)."""

    def section(folder: str) -> list[str]:
        index = f"{folder}/index.md"
        rest = (p for p in site.pages if p.startswith(f"{folder}/") and p != index)
        return [index, *(p for p in rest if in_navigation(p))]

    nav: list[Any] = [{labels["home"]: "index.md"}, {labels["about"]: "portfolio.md"}]
    if "changes.md" in site.pages:  # a published version: what changed since the last
        nav.append({labels["changes_since"]: "changes.md"})
    if "journey.md" in site.pages:  # readiness over the journey, month by month
        nav.append({labels["journey"]: "journey.md"})
    nav.append({labels["categories"]: section("categories")})
    nav += [{labels[f]: f"{f}/index.md"} for f in RECORD_FOLDERS]
    nav += [{labels["owners"]: "owners.md"}, {labels["traceability"]: "traceability.md"}]
    if "coverage/index.md" in site.pages:  # coverage per standard, one page each
        nav.append({labels["coverage"]: section("coverage")})
    if "requests.md" in site.pages:  # the auditor request list
        nav.append({labels["request_list"]: "requests.md"})
    if "scopes.md" in site.pages:  # every metric against every scope (site.scopes)
        nav.append({labels["results_by_scope"]: "scopes.md"})
    if "suppliers/index.md" in site.pages:  # a VMO's supplier scorecards (site.scorecards)
        suppliers = ["suppliers/index.md", "suppliers/comparison.md"]
        nav.append({labels["vendor_scorecards"]: suppliers})
    if "glossary.md" in site.pages:
        nav.append({labels["glossary"]: "glossary.md"})
    if "warnings.md" in site.pages:
        nav.append({labels["readiness_warnings"]: "warnings.md"})
    return nav + [page for page in own if page not in site.pages]
