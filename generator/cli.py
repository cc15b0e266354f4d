"""The `certfolio` command line: argument parsing, printing and exit codes only.

Exit codes: 0 clean, 1 problems found (errors; warnings too with --strict), 2 usage error or
no portfolio. Nothing imports this module.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from generator import __version__
from generator.diagnostics import FORMATS, format_report
from generator.load import PortfolioNotFound
from generator.schema import KINDS, schema_text
from generator.validate import validate_portfolio

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

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of a YAML kind",
        description="Print the JSON Schema (draft-07) of one kind of evidence file, for editors: "
        "save it and point a '# yaml-language-server: $schema=...' comment at it.",
    )
    schema.add_argument("kind", choices=KINDS, metavar="KIND", help=", ".join(KINDS))
    return parser


def _validate(args: argparse.Namespace) -> int:
    root = args.portfolio if args.portfolio is not None else default_portfolio()
    try:
        _, report = validate_portfolio(root)
    except PortfolioNotFound as exc:
        print(f"certfolio: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(format_report(report, resolve_format(args.format)))
    return EXIT_PROBLEMS if report.failed(strict=args.strict) else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args)
        sys.stdout.write(schema_text(args.kind))
        return EXIT_OK
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
