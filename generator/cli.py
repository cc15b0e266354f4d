"""The `certfolio` command line: argument parsing, printing and exit codes only.

Exit codes: 0 clean, 1 problems found (errors; warnings too with --strict), 2 usage error or
no portfolio. Nothing imports this module.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from generator import __version__
from generator.assess.status import assess_portfolio
from generator.site.build import generate_site, write_site
from generator.diagnostics import FORMATS, format_report
from generator.assess.export import assessment_json
from generator.assess.lint import lint_assessment
from generator.portfolio.load import PortfolioNotFound
from generator.portfolio.schema import KINDS, schema_text
from generator.assess.summary import summary_text
from generator.portfolio.validate import validate_portfolio

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def default_portfolio() -> Path:
    """`./evidence` when it is a portfolio, else the current folder."""
    candidate = Path("evidence")
    return candidate if (candidate / "portfolio.yaml").is_file() else Path(".")


def resolve_format(requested: str | None) -> str:
    """--format beats the environment; on GitHub Actions the default is annotations."""
    if requested:
        return requested
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="certfolio",
        description="Evidence portfolios for contact-centre certification.",
    )
    parser.add_argument("--version", action="version", version=f"certfolio {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate",
        help="check every file of a portfolio and report all problems",
        description="Check every file of a portfolio and report all problems, sorted, as "
        "path:line:col: level: message [CODE].",
    )
    validate.add_argument(
        "portfolio",
        nargs="?",
        type=Path,
        metavar="PORTFOLIO_DIR",
        help="portfolio folder (default: ./evidence, else .)",
    )
    validate.add_argument(
        "--format",
        choices=sorted(FORMATS),
        default=None,
        help="text (default), json, or github workflow annotations (default on GitHub Actions)",
    )
    validate.add_argument("--strict", action="store_true", help="warnings fail too")

    assess = commands.add_parser(
        "assess",
        help="compute status as of a date: metrics, evidence, findings, requirements",
        description="Validate the portfolio, then compute every requirement's status with its "
        "reasons, as of the portfolio's as_of date (or --as-of).",
    )
    assess.add_argument(
        "portfolio",
        nargs="?",
        type=Path,
        metavar="PORTFOLIO_DIR",
        help="portfolio folder (default: ./evidence, else .)",
    )
    assess.add_argument(
        "--as-of",
        type=_date,
        default=None,
        metavar="DATE",
        help="assess as of this date (YYYY-MM-DD) instead of as_of",
    )
    assess.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text summary (default) or the JSON document",
    )
    assess.add_argument(
        "--strict", action="store_true", help="readiness warnings fail too (exit 1)"
    )

    generate = commands.add_parser(
        "build",
        help="write the site's Markdown pages and files to a folder (no MkDocs)",
        description="Generate the site as a plain folder of Markdown pages and assets, which "
        "MkDocs (or another engine reading the same Markdown) can build.",
    )
    generate.add_argument(
        "portfolio",
        nargs="?",
        type=Path,
        metavar="PORTFOLIO_DIR",
        help="portfolio folder (default: ./evidence, else .)",
    )
    generate.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder to write (replaced whole, only on success)",
    )
    generate.add_argument(
        "--templates",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder of templates that override the default ones",
    )
    generate.add_argument(
        "--cache",
        type=Path,
        default=Path(".cache/certfolio"),
        metavar="DIR",
        help="chart cache (default: .cache/certfolio)",
    )

    site = commands.add_parser(
        "site",
        help="build the auditor site with MkDocs, strictly, into site/",
        description="Run a strict MkDocs build into a fresh folder and swap it in only when "
        "no warning was reported; a failed build leaves the previous site as it was.",
    )
    site.add_argument(
        "-f",
        "--config-file",
        type=Path,
        default=Path("mkdocs.yml"),
        metavar="FILE",
        help="MkDocs configuration (default: mkdocs.yml)",
    )
    site.add_argument(
        "-d",
        "--site-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="output folder (default: the configuration's site_dir)",
    )

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of a YAML kind",
        description="Print the JSON Schema (draft-07) of one kind of evidence file, for editors: "
        "save it and point a '# yaml-language-server: $schema=...' comment at it.",
    )
    schema.add_argument("kind", choices=KINDS, metavar="KIND", help=", ".join(KINDS))
    return parser


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _root(args: argparse.Namespace) -> Path:
    return args.portfolio if args.portfolio is not None else default_portfolio()


def _assess(args: argparse.Namespace) -> int:
    portfolio, report = validate_portfolio(_root(args))
    if portfolio is None:
        sys.stdout.write(format_report(report, resolve_format(None)))
        return EXIT_PROBLEMS
    assessment = assess_portfolio(portfolio, args.as_of)
    lint = lint_assessment(assessment)
    if args.format == "json":
        sys.stdout.write(assessment_json(assessment, lint))
    else:
        sys.stdout.write(summary_text(assessment, lint))
    return EXIT_PROBLEMS if args.strict and lint else EXIT_OK


def _build(args: argparse.Namespace) -> int:
    templates = [args.templates] if args.templates else []
    site, report = generate_site(_root(args), template_dirs=templates, cache_dir=args.cache)
    if site is None:
        sys.stdout.write(format_report(report, resolve_format(None)))
        return EXIT_PROBLEMS
    write_site(site, args.out)
    print(f"wrote {len(site.pages)} pages and {len(site.files)} files to {args.out}")
    return EXIT_OK


def _site(args: argparse.Namespace) -> int:
    from generator.engines.mkdocs import build_site  # MkDocs is imported only for this command

    if not args.config_file.is_file():
        print(f"certfolio: error: no such file: {args.config_file}", file=sys.stderr)
        return EXIT_USAGE
    result = build_site(args.config_file, args.site_dir)
    if result.problems:
        print("certfolio: the site was not built; the previous site is unchanged:", file=sys.stderr)
        for problem in result.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_PROBLEMS
    stages = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in result.timings.items())
    print(f"certfolio: site built ({stages})")
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    _, report = validate_portfolio(_root(args))
    sys.stdout.write(format_report(report, resolve_format(args.format)))
    return EXIT_PROBLEMS if report.failed(strict=args.strict) else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args)
        if args.command == "assess":
            return _assess(args)
        if args.command == "build":
            return _build(args)
        if args.command == "site":
            return _site(args)
        sys.stdout.write(schema_text(args.kind))
        return EXIT_OK
    except PortfolioNotFound as exc:
        print(f"certfolio: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # pragma: no cover - `certfolio ... | head`
        return EXIT_OK
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"certfolio: internal error: {exc!r} (run with --debug for the traceback; "
            "this is a bug, please report it)",
            file=sys.stderr,
        )
        return 3
