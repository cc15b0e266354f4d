"""Suspect links for the review wing's readers: `certfolio diff`, the site's pages.

A link whose owner or target changed since its recorded review is suspect. The computation
lives with validation (`generator.portfolio.links`), so that every command that validates
warns about them (W603) without a second pass; this module is the stable place to import it
from, and groups the suspects by record for pages that show them on both sides.

    find_suspects(portfolio: Portfolio) -> list[Suspect]   sorted by owner, then target

`Suspect` (frozen): `owner_kind`, `owner`, `target_kind`, `target`, `changed` ("owner",
"target" or "both"), `date` and `by` of the last review, `span` of its entry in reviews.yaml;
`key` ("EV-002 > LP-01") and `changed_ids` (the IDs that changed) are properties.
"""

from __future__ import annotations

from generator import model as m
from generator.portfolio.links import Suspect, find_suspects

__all__ = ["Suspect", "find_suspects", "suspects_by_record"]


def suspects_by_record(portfolio: m.Portfolio) -> dict[str, tuple[Suspect, ...]]:
    """Each record's suspect links, as owner or as target (a requirement's page and an
    evidence item's page show the same link); records with none are left out."""
    table: dict[str, list[Suspect]] = {}
    for suspect in find_suspects(portfolio):
        table.setdefault(suspect.owner, []).append(suspect)
        table.setdefault(suspect.target, []).append(suspect)
    return {record: tuple(found) for record, found in sorted(table.items())}
