"""`certfolio init`: every language and standard gives a portfolio with no error, in its
language, and nothing is ever written over an existing file."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
import yaml

from generator.assess.status import assess_portfolio
from generator.engines.offline import pack_name
from generator.errors import UsageError
from generator.portfolio.validate import validate_portfolio
from generator.scaffold.init import LANGUAGES, STANDARDS, init, plan

AS_OF = dt.date(2025, 3, 10)


@pytest.mark.parametrize("standard", STANDARDS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_and_standard_validates(
    tmp_path: Path, language: str, standard: str
) -> None:
    init(tmp_path, language, standard, AS_OF)
    portfolio, report = validate_portfolio(tmp_path / "portfolio")
    assert portfolio is not None, [str(d.span) + d.message for d in report.diagnostics]
    assert report.errors == 0
    assert {d.code for d in report.diagnostics} <= {"W600"}  # requirements awaiting evidence
    assert portfolio.config.language == language
    result = assess_portfolio(portfolio)
    assert result.metrics["M01"].status == "met"
    statuses = {r.status for r in result.requirements.values()}
    assert "no evidence" in statuses and "met" in statuses
    for rel in ("mkdocs.yml", ".github/workflows/certfolio.yml", ".gitlab-ci.yml"):
        yaml.safe_load((tmp_path / rel).read_text("utf-8"))


def test_stubs_are_in_the_chosen_language(tmp_path: Path) -> None:
    files = plan("es", "copc-cx", AS_OF).files
    assert "Liderazgo y planificación" in files["portfolio/portfolio.yaml"]
    assert "Dirección definida y comunicada" in files["portfolio/requirements/LP/LP-01.yaml"]
    every = "\n".join(files.values())
    assert "yaml-language-server: $schema=../../schemas/evidence.schema.json" in every


def test_nothing_is_written_over_an_existing_file(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("ours\n", "utf-8")
    with pytest.raises(UsageError, match=r"mkdocs\.yml"):
        init(tmp_path, "en", "copc-cx", AS_OF)
    assert [p.name for p in tmp_path.iterdir()] == ["mkdocs.yml"]
    assert (tmp_path / "mkdocs.yml").read_text("utf-8") == "ours\n"


def test_unknown_choices_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown standard"):
        init(tmp_path, "en", "iso-9001", AS_OF)
    with pytest.raises(UsageError, match="unknown language"):
        init(tmp_path, "de", "copc-cx", AS_OF)
    assert not any(tmp_path.iterdir())


def test_git_ignores_what_the_builds_write(tmp_path: Path) -> None:
    """The site, the caches and the audit pack (offline zip, PDF binder) are build output: a
    new repository does not offer them for commit, while the portfolio's files are."""
    init(tmp_path, "en", "copc-cx", AS_OF)
    portfolio, _ = validate_portfolio(tmp_path / "portfolio")
    assert portfolio is not None
    as_of = portfolio.config.as_of.isoformat()
    built = [
        "site/index.html",
        ".cache/certfolio/parse/entries.pack",
        f"{pack_name(portfolio.config.id, as_of, 'offline')}.zip",
        f"{pack_name(portfolio.config.id, as_of, 'binder')}.pdf",
    ]
    kept = ["portfolio/portfolio.yaml", "mkdocs.yml"]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    ignored = subprocess.run(
        ["git", "-C", str(tmp_path), "check-ignore", "--no-index", *built, *kept],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert ignored == built
