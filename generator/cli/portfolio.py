"""Subcommands that read a portfolio: init, validate, assess, schema."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from generator.assess.export import assessment_json
from generator.assess.lint import lint_assessment
from generator.assess.status import assess_portfolio
from generator.assess.summary import summary_text
from generator.cli.common import (
    Commands,
    cache_parent,
    from_repository_root,
    parse_cache,
    parse_date,
    portfolio_of,
    resolve_format,
    strict_parent,
)
from generator.diagnostics import FORMATS, format_report
from generator.errors import EXIT_OK, EXIT_PROBLEMS
from generator.portfolio.schema import KINDS, schema_text
from generator.portfolio.validate import validate_portfolio

# --- init -------------------------------------------------------------------------------


def _add_init(commands: Commands, portfolio: argparse.ArgumentParser) -> None:
    from generator.scaffold.init import LANGUAGES, STANDARDS

    parser = commands.add_parser(
        "init",
        help="start a portfolio repository: portfolio, site, CI and pre-commit files",
        description="Write a working portfolio repository into DIR (default: the current "
        "folder) from files shipped with certfolio: portfolio.yaml, the chosen standard's "
        "categories with requirement stubs, one example of each record kind, mkdocs.yml, "
        ".gitignore, a CI workflow and a pre-commit configuration. Nothing is overwritten.",
    )
    parser.add_argument("directory", nargs="?", type=Path, default=Path("."), metavar="DIR")
    parser.add_argument("--language", choices=LANGUAGES, default="en", help="default: en")
    parser.add_argument("--standard", choices=STANDARDS, default="copc-cx", help="default: copc-cx")
    parser.add_argument(
        "--as-of",
        type=parse_date,
        default=None,
        metavar="DATE",
        help="the portfolio's first as_of date (default: today)",
    )
    parser.set_defaults(run=_run_init)


def _run_init(args: argparse.Namespace) -> int:
    from generator.scaffold.init import init

    as_of = args.as_of or dt.date.today()  # one of two dates from the clock (and review's)
    written = init(args.directory, args.language, args.standard, as_of)
    print(f"certfolio: wrote {len(written)} files into {args.directory}")
    print(f"  next: cd {args.directory} && certfolio validate portfolio && certfolio site")
    return EXIT_OK


# --- validate ---------------------------------------------------------------------------


def _add_validate(commands: Commands, portfolio: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "validate",
        parents=[portfolio, strict_parent("warnings fail too"), cache_parent()],
        help="check every file of a portfolio and report all problems",
        description="Check every file of a portfolio and report all problems, sorted, as "
        "path:line:col: level: message [CODE].",
    )
    parser.add_argument(
        "--format",
        choices=sorted(FORMATS),
        default=None,
        help="text (default), json, or github workflow annotations (default on GitHub Actions)",
    )
    parser.set_defaults(run=_run_validate)


def _run_validate(args: argparse.Namespace) -> int:
    _, report = validate_portfolio(portfolio_of(args), cache=parse_cache(args))
    fmt = resolve_format(args.format)
    if fmt == "github":
        report = from_repository_root(report, portfolio_of(args))
    sys.stdout.write(format_report(report, fmt))
    return EXIT_PROBLEMS if report.failed(strict=args.strict) else EXIT_OK


# --- assess -----------------------------------------------------------------------------


def _add_assess(commands: Commands, portfolio: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "assess",
        parents=[
            portfolio,
            strict_parent("readiness warnings fail too (exit 1)"),
            cache_parent(),
        ],
        help="compute status as of a date: metrics, evidence, findings, requirements",
        description="Validate the portfolio, then compute every requirement's status with its "
        "reasons, as of the portfolio's as_of date (or --as-of).",
    )
    parser.add_argument(
        "--as-of",
        type=parse_date,
        default=None,
        metavar="DATE",
        help="assess as of this date (YYYY-MM-DD) instead of as_of",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text summary (default) or the JSON document",
    )
    parser.set_defaults(run=_run_assess)


def _run_assess(args: argparse.Namespace) -> int:
    portfolio, report = validate_portfolio(portfolio_of(args), cache=parse_cache(args))
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


# --- schema -----------------------------------------------------------------------------


def _add_schema(commands: Commands, portfolio: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "schema",
        help="print the JSON Schema of a YAML kind",
        description="Print the JSON Schema (draft-07) of one kind of evidence file, for editors: "
        "save it and point a '# yaml-language-server: $schema=...' comment at it.",
    )
    parser.add_argument("kind", choices=KINDS, metavar="KIND", help=", ".join(KINDS))
    parser.set_defaults(run=_run_schema)


def _run_schema(args: argparse.Namespace) -> int:
    sys.stdout.write(schema_text(args.kind))
    return EXIT_OK
