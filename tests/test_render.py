"""Rendered Markdown of the minimal portfolio against reviewed golden pages.

tests/golden/<page>.md are the expected pages; CERTFOLIO_UPDATE_GOLDEN=1 rewrites them (then
review the diff).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from generator.assess.states import (
    Effect,
    FindingState,
    FreshnessState,
    MetricState,
    RequirementState,
)
from generator.assess.status import assess_portfolio
from generator.model import Grade
from generator.portfolio.validate import validate_portfolio
from generator.site.i18n import LANGUAGES, Labels, missing_keys
from generator.site.render import (
    Published,
    SiteData,
    SourceInfo,
    TemplateFailed,
    default_templates,
    render_pages,
)

from .conftest import DATA, SAMPLE

GOLDEN = Path(__file__).parent / "golden"
LABELS = Path(__file__).parent.parent / "generator" / "site" / "labels"
PAGES = [
    "index.md",
    "requirements/AA-02.md",
    "evidence/EV-01.md",
    "metrics/M2.md",
    "findings/F-1.md",
    "evidence/index.md",
    "owners.md",
    "traceability.md",
]


def site_data(root: Path, language: str = "en") -> SiteData:
    portfolio, report = validate_portfolio(root)
    assert portfolio is not None, report.diagnostics
    assessment = assess_portfolio(portfolio)
    alt = {k: f"chart of {k}" for k in [*portfolio.metrics, "overview", "findings"]}
    attachments = {
        a.path: Published(f"files/{a.path}", 52, "0" * 64)
        for e in portfolio.evidence.values()
        for a in e.attachments
    }
    return SiteData(
        assessment, Labels(language), SourceInfo("0123456789abcdef", False, 0), alt, attachments
    )


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return render_pages(site_data(DATA / "minimal"), [default_templates()])


@pytest.mark.parametrize("name", PAGES)
def test_golden_page(pages: dict[str, str], name: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("CERTFOLIO_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(pages[name], "utf-8")
    assert pages[name] == golden.read_text("utf-8")


def test_every_record_gets_a_page(pages: dict[str, str]) -> None:
    assert sorted(pages) == sorted(
        [
            "index.md",
            "journey.md",
            "portfolio.md",
            "glossary.md",
            "coverage/index.md",
            "coverage/STD.md",
            "requests.md",
            "scopes.md",
            "owners.md",
            "traceability.md",
            "warnings.md",
            "categories/index.md",
            "categories/AA.md",
            "requirements/index.md",
            "requirements/AA-01.md",
            "requirements/AA-02.md",
            "evidence/index.md",
            "evidence/EV-01.md",
            "evidence/EV-02.md",
            "metrics/index.md",
            "metrics/M1.md",
            "metrics/M2.md",
            "findings/index.md",
            "findings/F-1.md",
        ]
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_renders_the_sample(language: str) -> None:
    pages = render_pages(site_data(SAMPLE, language), [default_templates()])
    labels = Labels(language)
    assert labels["requirements"] in pages["requirements/index.md"]
    assert labels.word("partly met") in pages["requirements/PE-04.md"]


def test_no_language_lacks_a_label() -> None:
    assert missing_keys() == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_state_has_a_word_in_every_language(language: str) -> None:
    english = json.loads((LABELS / "en.json").read_text("utf-8"))["words"]
    table = json.loads((LABELS / f"{language}.json").read_text("utf-8"))
    assert table["language"] == language
    for enum in (RequirementState, MetricState, FreshnessState, FindingState, Effect, Grade):
        for member in enum:
            assert member.value in english, member
            assert Labels(language).word(member) == table["words"][member.value]


def test_a_user_template_overrides_the_default(tmp_path: Path) -> None:
    (tmp_path / "owners.md.j2").write_text("# Our owners page\n")
    pages = render_pages(site_data(DATA / "minimal"), [tmp_path, default_templates()])
    assert pages["owners.md"].endswith("---\n\n# Our owners page\n")
    assert "\n# Minimal portfolio" in pages["index.md"]


def test_a_template_typo_is_an_error_naming_the_template(tmp_path: Path) -> None:
    (tmp_path / "owners.md.j2").write_text("# {{ config.titel }}\n")
    with pytest.raises(TemplateFailed) as failed:
        render_pages(site_data(DATA / "minimal"), [tmp_path, default_templates()])
    assert "owners.md.j2:1:" in failed.value.message and "titel" in failed.value.message


def test_a_published_path_is_a_link_target_never_markup() -> None:
    """Item 3 of the hardening issue: a file name cannot close the link or add markup."""
    import markdown

    data = site_data(DATA / "minimal")
    hostile = "files/attachments/x) <img src=https://evil.example/p.gif> <a href=../y>.md"
    data.attachments["attachments/procedure.md"] = Published(hostile, 52, "0" * 64)
    page = render_pages(data, [default_templates()])["evidence/EV-01.md"]
    html_text = markdown.markdown(page, extensions=["tables"])
    assert "<img" not in html_text and "evil.example/p.gif>" not in html_text
    assert "x%29%20%3Cimg%20src%3Dhttps%3A//evil.example/p.gif%3E" in page
