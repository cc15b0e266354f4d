"""The `certfolio` command line: argument parsing, printing and exit codes only.

Each subcommand is one `_add_*` function that declares its parser (sharing the parent parsers
for the portfolio folder and output formats) and one `_run_*` function that does the work.
Exit codes: 0 clean, 1 problems found (errors; warnings too with --strict), 2 usage error or
no portfolio, 3 internal error (a bug). Nothing imports this module.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeAlias

from generator import __version__
from generator.assess.export import assessment_json
from generator.assess.lint import lint_assessment
from generator.assess.status import assess_portfolio
from generator.assess.summary import summary_text
from generator.diagnostics import FORMATS, Report, format_report, rebase_paths
from generator.errors import EXIT_OK, EXIT_PROBLEMS, BuildFailed, CertfolioError, UsageError
from generator.portfolio.schema import KINDS, schema_text
from generator.portfolio.validate import validate_portfolio
from generator.site.build import generate_site, write_site
from generator.site.output import check_target, repository_root

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


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _root(args: argparse.Namespace) -> Path:
    return args.portfolio if args.portfolio is not None else default_portfolio()


def _portfolio_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "portfolio",
        nargs="?",
        type=Path,
        metavar="PORTFOLIO_DIR",
        help="portfolio folder (default: ./evidence, else .)",
    )
    return parent


def _strict_parent(help_text: str) -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--strict", action="store_true", help=help_text)
    return parent


# --- validate ---------------------------------------------------------------------------


def _add_validate(commands: Commands, portfolio: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "validate",
        parents=[portfolio, _strict_parent("warnings fail too")],
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


def from_repository_root(report: Report, portfolio: Path) -> Report:
    """The report with paths from the top of the git work tree holding the portfolio, where
    GitHub attaches annotations; unchanged outside git."""
    folder = portfolio.absolute()  # spans start at its name, as validate_portfolio wrote them
    top = repository_root(folder)
    if top is None or not folder.resolve().is_relative_to(top):
        return report
    location = folder.resolve().relative_to(top).as_posix()  # '.' at the top
    return rebase_paths(report, folder.name, location)


def _run_validate(args: argparse.Namespace) -> int:
    _, report = validate_portfolio(_root(args))
    fmt = resolve_format(args.format)
    if fmt == "github":
        report = from_repository_root(report, _root(args))
    sys.stdout.write(format_report(report, fmt))
    return EXIT_PROBLEMS if report.failed(strict=args.strict) else EXIT_OK


# --- assess -----------------------------------------------------------------------------


def _add_assess(commands: Commands, portfolio: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "assess",
        parents=[portfolio, _strict_parent("readiness warnings fail too (exit 1)")],
        help="compute status as of a date: metrics, evidence, findings, requirements",
        description="Validate the portfolio, then compute every requirement's status with its "
        "reasons, as of the portfolio's as_of date (or --as-of).",
    )
    parser.add_argument(
        "--as-of",
        type=_date,
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


# --- build ------------------------------------------------------------------------------


def _add_build(commands: Commands, portfolio: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "build",
        parents=[portfolio],
        help="write the site's Markdown pages and files to a folder (no MkDocs)",
        description="Generate the site as a plain folder of Markdown pages and assets, which "
        "MkDocs (or another engine reading the same Markdown) can build.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder to write (replaced whole, only on success)",
    )
    parser.add_argument(
        "--templates",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder of templates that override the default ones",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(".cache/certfolio"),
        metavar="DIR",
        help="chart cache (default: .cache/certfolio)",
    )
    parser.set_defaults(run=_run_build)


def _run_build(args: argparse.Namespace) -> int:
    templates = [args.templates] if args.templates else []
    protected = [("the portfolio", _root(args)), ("the chart cache", args.cache)]
    protected += [("the templates folder", t) for t in templates]
    check_target(args.out, protected)  # before any work: refuse early, touch nothing
    site, report = generate_site(_root(args), template_dirs=templates, cache_dir=args.cache)
    if site is None:
        sys.stdout.write(format_report(report, resolve_format(None)))
        return EXIT_PROBLEMS
    write_site(site, args.out, protected)
    print(f"wrote {len(site.pages)} pages and {len(site.files)} files to {args.out}")
    return EXIT_OK


# --- site -------------------------------------------------------------------------------


def _add_site(commands: Commands, portfolio: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "site",
        parents=[_strict_parent("validation and readiness warnings fail the build too")],
        help="build the auditor site into site/ (previous site kept on failure)",
        description="Build the site into a fresh folder and swap it in only when the portfolio "
        "has no errors and the engine reported no warning (broken links ...). Validation and "
        "readiness warnings are shown on the site's warnings page; with --strict they fail "
        "the build. A failed build leaves the previous site as it was.",
    )
    parser.add_argument(
        "-f",
        "--config-file",
        type=Path,
        default=Path("mkdocs.yml"),
        metavar="FILE",
        help="MkDocs configuration (default: mkdocs.yml)",
    )
    parser.add_argument(
        "-d",
        "--site-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="output folder (default: the configuration's site_dir)",
    )
    parser.add_argument(
        "--engine",
        choices=("mkdocs", "zensical"),
        default="mkdocs",
        help="site engine: MkDocs with Material (default) or Zensical (pip install "
        "'certfolio[zensical]'), both reading the same mkdocs.yml",
    )
    parser.set_defaults(run=_run_site)


def _run_site(args: argparse.Namespace) -> int:
    if not args.config_file.is_file():
        raise UsageError(f"no such file: {args.config_file}")
    if args.engine == "zensical":
        from generator.engines import zensical as engine
    else:  # MkDocs is imported only when it builds
        from generator.engines import mkdocs as engine  # type: ignore[no-redef]
    result = engine.build_site(args.config_file, args.site_dir, strict=args.strict)
    if result.problems:
        if result.previous_kept:
            message = "the site was not built; the previous site is unchanged:"
        else:
            message = "the site was not built (no previous site was there to keep):"
        raise BuildFailed(message, result.problems)
    stages = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in result.timings.items())
    print(f"certfolio: site built ({stages})")
    return EXIT_OK


# --- serve ------------------------------------------------------------------------------


def _add_serve(commands: Commands, portfolio: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "serve",
        help="serve the site with live reload while you edit the portfolio",
        description="Build the site in memory and serve it on ADDRESS, rebuilding when a file "
        "of the portfolio, the templates or the docs changes. While the portfolio has errors "
        "the browser shows them instead of the site.",
    )
    parser.add_argument(
        "-f",
        "--config-file",
        type=Path,
        default=Path("mkdocs.yml"),
        metavar="FILE",
        help="MkDocs configuration (default: mkdocs.yml)",
    )
    parser.add_argument(
        "-a",
        "--dev-addr",
        default="127.0.0.1:8000",
        metavar="ADDRESS",
        help="host:port to serve on (default: 127.0.0.1:8000)",
    )
    parser.set_defaults(run=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    from generator.engines.mkdocs import serve_site  # MkDocs is imported only for this command

    if not args.config_file.is_file():
        raise UsageError(f"no such file: {args.config_file}")
    serve_site(args.config_file, args.dev_addr)
    return EXIT_OK


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
        type=_date,
        default=None,
        metavar="DATE",
        help="the portfolio's first as_of date (default: today)",
    )
    parser.set_defaults(run=_run_init)


def _run_init(args: argparse.Namespace) -> int:
    from generator.scaffold.init import init

    as_of = args.as_of or dt.date.today()  # the one place a date comes from the clock
    written = init(args.directory, args.language, args.standard, as_of)
    print(f"certfolio: wrote {len(written)} files into {args.directory}")
    print(f"  next: cd {args.directory} && certfolio validate portfolio && certfolio site")
    return EXIT_OK


# --- the program ------------------------------------------------------------------------

SUBCOMMANDS = (
    _add_init,
    _add_validate,
    _add_assess,
    _add_build,
    _add_site,
    _add_serve,
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
    portfolio = _portfolio_parent()
    for add in SUBCOMMANDS:
        add(commands, portfolio)
    return parser


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
