"""The `certfolio` command line: argument parsing, printing and exit codes only.

Each subcommand is one `_add_*` function that declares its parser (sharing the parent parsers
in `common`) and one `_run_*` function that does the work, grouped by what they touch:
`portfolio` (init, validate, assess, schema), `site` (build, site, serve, publish),
`review` (review, diff), `migrate` (a standard's new release) and `pack` (the audit pack:
`pdf`, and `site --offline` through `site`).
Exit codes: 0 clean, 1 problems found (errors; warnings too with --strict), 2 usage error or
no portfolio, 3 internal error (a bug). Nothing imports this module.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from generator import __version__, heap
from generator.cli.common import EXIT_INTERNAL, Run, portfolio_parent, resolve_format
from generator.cli.migrate import _add_migrate
from generator.cli.pack import _add_pdf
from generator.cli.portfolio import _add_assess, _add_init, _add_schema, _add_validate
from generator.cli.review import _add_diff, _add_review
from generator.cli.site import _add_build, _add_publish, _add_serve, _add_site
from generator.errors import EXIT_OK, EXIT_PROBLEMS, CertfolioError

__all__ = ["build_parser", "main", "resolve_format"]

# --- the program ------------------------------------------------------------------------

SUBCOMMANDS = (
    _add_init,
    _add_validate,
    _add_assess,
    _add_build,
    _add_site,
    _add_serve,
    _add_publish,
    _add_pdf,
    _add_review,
    _add_diff,
    _add_migrate,
    _add_schema,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="certfolio",
        description="Evidence portfolios for contact-centre certification.",
    )
    parser.add_argument("--version", action="version", version=f"certfolio {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    portfolio = portfolio_parent()
    for add in SUBCOMMANDS:
        add(commands, portfolio)
    return parser


def command() -> int:
    """The `certfolio` command (and `python -m generator`): `main`, then the process ends
    without a last walk of everything it made (`heap.leaving`)."""
    code = main()
    heap.leaving()
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Run = args.run
    try:
        return run(args)
    except CertfolioError as exc:
        print(f"certfolio: error: {exc.message}", file=sys.stderr)
        for detail in exc.details:
            print(f"  {detail}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # pragma: no cover - `certfolio ... | head`
        return EXIT_OK
    except OSError as exc:  # disk full, permission denied ...: say which file
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"certfolio: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"certfolio: internal error: {exc!r} (run with --debug for the traceback; "
            "this is a bug, please report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
