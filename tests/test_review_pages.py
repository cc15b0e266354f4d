"""Suspect links on the pages: a requirement reworded after its links were reviewed shows them
as suspect on its own page and on each evidence item's page, until `certfolio review`."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.cli import main
from generator.portfolio.validate import validate_portfolio
from generator.review.suspect import suspects_by_record
from generator.site.render import default_templates, render_pages

from .conftest import SAMPLE
from .test_render import site_data


def _pages(root: Path) -> dict[str, str]:
    data = site_data(root)
    portfolio, _ = validate_portfolio(root)
    assert portfolio is not None
    data.suspects = suspects_by_record(portfolio)
    return render_pages(data, [default_templates()])


def test_the_review_cycle_shows_on_both_pages(tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    shutil.copytree(SAMPLE, root)
    assert "Suspect links" not in _pages(root)["requirements/LP-01.md"]
    requirement = next((root / "requirements").rglob("LP-01.yaml"))
    text = requirement.read_text("utf-8")
    requirement.write_text(text.replace("wording: ", "wording: Reworded. ", 1), "utf-8")
    portfolio, _ = validate_portfolio(root)
    assert portfolio is not None
    owners = sorted({s.owner for s in suspects_by_record(portfolio).get("LP-01", ())})
    assert owners, "rewording LP-01 makes the links to it suspect"
    pages = _pages(root)
    assert "Suspect links" in pages["requirements/LP-01.md"]
    for owner in owners:
        kind = "evidence" if owner.startswith("EV") else "metrics"
        assert "Suspect links" in pages[f"{kind}/{owner}.md"], owner
    first = owners[0]
    done = main(
        ["review", first, "--by", "quality-manager", "--date", "2025-01-20", "-p", str(root)]
    )
    assert done == 0
    pages = _pages(root)
    kind = "evidence" if first.startswith("EV") else "metrics"
    assert "Suspect links" not in pages[f"{kind}/{first}.md"]
    if len(owners) > 1:
        assert "Suspect links" in pages["requirements/LP-01.md"]  # the others still are
