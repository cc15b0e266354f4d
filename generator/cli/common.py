"""What every subcommand shares: the portfolio argument, --strict, dates, formats, exit codes."""

from __future__ import annotations

import argparse
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeAlias

from generator.diagnostics import Report, rebase_paths
from generator.portfolio.parsecache import ParseCache
from generator.site.output import repository_root

EXIT_INTERNAL = 3
Run = Callable[[argparse.Namespace], int]
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def default_portfolio() -> Path:
    """`./evidence` when it is a portfolio, else the current folder."""
    candidate = Path("evidence")
    return candidate if (candidate / "portfolio.yaml").is_file() else Path(".")


def resolve_format(requested: str | None) -> str:
    """--format beats the environment; on GitHub Actions the default is annotations."""
    if requested:
        return requested
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def portfolio_of(args: argparse.Namespace) -> Path:
    return args.portfolio if args.portfolio is not None else default_portfolio()


def portfolio_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "portfolio",
        nargs="?",
        type=Path,
        metavar="PORTFOLIO_DIR",
        help="portfolio folder (default: ./evidence, else .)",
    )
    return parent


def cache_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--no-cache",
        action="store_true",
        help="parse every file again instead of using the parse cache (.cache/certfolio/parse)",
    )
    return parent


def parse_cache(args: argparse.Namespace) -> ParseCache | None:
    """The parse cache, unless --no-cache: .cache/certfolio/parse at the top of the git work
    tree holding the portfolio (where the chart cache and .gitignore's /.cache/ are), else in
    the portfolio's parent folder, the one diagnostics' paths start from."""
    if args.no_cache:
        return None
    folder = portfolio_of(args).absolute()
    top = repository_root(folder) if folder.is_dir() else None
    return ParseCache((top or folder.parent) / ".cache" / "certfolio" / "parse")


def strict_parent(help_text: str) -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--strict", action="store_true", help=help_text)
    return parent


def from_repository_root(report: Report, portfolio: Path) -> Report:
    """The report with paths from the top of the git work tree holding the portfolio, where
    GitHub attaches annotations; unchanged outside git."""
    folder = portfolio.absolute()  # spans start at its name, as validate_portfolio wrote them
    top = repository_root(folder)
    if top is None or not folder.resolve().is_relative_to(top):
        return report
    location = folder.resolve().relative_to(top).as_posix()  # '.' at the top
    return rebase_paths(report, folder.name, location)


def config_parent() -> argparse.ArgumentParser:
    """-f/--config-file: the MkDocs configuration the site commands read."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "-f",
        "--config-file",
        type=Path,
        default=Path("mkdocs.yml"),
        metavar="FILE",
        help="MkDocs configuration (default: mkdocs.yml)",
    )
    return parent


def stage_times(timings: dict[str, float]) -> str:
    """Seconds per stage of a build, as the commands print them: `load 0.03 s, ...`."""
    return ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items())
