"""Subcommands that build, serve and publish the site: build, site, serve, publish."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.cli.common import (
    Commands,
    config_parent,
    portfolio_of,
    resolve_format,
    stage_times,
    strict_parent,
)
from generator.cli.pack import add_offline_arguments, run_offline
from generator.diagnostics import format_report
from generator.errors import EXIT_OK, EXIT_PROBLEMS, BuildFailed, UsageError
from generator.portfolio.validate import validate_portfolio
from generator.site.build import generate_site, write_site
from generator.site.output import check_target

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
    protected = [("the portfolio", portfolio_of(args)), ("the chart cache", args.cache)]
    protected += [("the templates folder", t) for t in templates]
    check_target(args.out, protected)  # before any work: refuse early, touch nothing
    site, report = generate_site(portfolio_of(args), template_dirs=templates, cache_dir=args.cache)
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
        parents=[
            config_parent(),
            strict_parent("validation and readiness warnings fail the build too"),
        ],
        help="build the auditor site into site/ (previous site kept on failure)",
        description="Build the site into a fresh folder and swap it in only when the portfolio "
        "has no errors and the engine reported no warning (broken links ...). Validation and "
        "readiness warnings are shown on the site's warnings page; with --strict they fail "
        "the build. A failed build leaves the previous site as it was.",
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
        "--clean",
        action="store_true",
        help="rebuild every page; by default only the pages whose inputs changed since the "
        "previous site are rebuilt (the result is the same, byte for byte)",
    )
    parser.add_argument(
        "--engine",
        choices=("mkdocs", "zensical"),
        default="mkdocs",
        help="site engine: MkDocs with Material (default) or Zensical (pip install "
        "'certfolio[zensical]'), both reading the same mkdocs.yml",
    )
    add_offline_arguments(parser)  # --offline, --offline-zip (cli/pack.py)
    parser.set_defaults(run=_run_site)


def _run_site(args: argparse.Namespace) -> int:
    if not args.config_file.is_file():
        raise UsageError(f"no such file: {args.config_file}")
    if args.offline or args.offline_zip is not None:  # the offline zip: always a clean build
        return run_offline(args)
    if args.engine == "zensical":
        from generator.engines import zensical as engine
    else:  # MkDocs is imported only when it builds
        from generator.engines import mkdocs as engine  # type: ignore[no-redef]
    result = engine.build_site(
        args.config_file, args.site_dir, strict=args.strict, clean=args.clean
    )
    if result.problems:
        if result.previous_kept:
            message = "the site was not built; the previous site is unchanged:"
        else:
            message = "the site was not built (no previous site was there to keep):"
        raise BuildFailed(message, result.problems)
    print(f"certfolio: site built ({stage_times(result.timings)})")
    return EXIT_OK


# --- serve ------------------------------------------------------------------------------


def _add_serve(commands: Commands, portfolio: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "serve",
        parents=[config_parent()],
        help="serve the site with live reload while you edit the portfolio",
        description="Build the site and serve it on ADDRESS, rebuilding when a file of the "
        "portfolio, the templates or the docs changes (only the pages the change touches). "
        "While the portfolio has errors the browser shows them instead of the site.",
    )
    parser.add_argument(
        "-a",
        "--dev-addr",
        default="127.0.0.1:8000",
        metavar="ADDRESS",
        help="host:port to serve on (default: 127.0.0.1:8000)",
    )
    parser.add_argument(
        "--clean",
        action="store_true",
        help="rebuild every page on every change (by default only what the change touches)",
    )
    parser.set_defaults(run=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    from generator.engines.mkdocs import serve_site  # MkDocs is imported only for this command

    if not args.config_file.is_file():
        raise UsageError(f"no such file: {args.config_file}")
    serve_site(args.config_file, args.dev_addr, incremental=not args.clean)
    return EXIT_OK


# --- publish ----------------------------------------------------------------------------


def _add_publish(commands: Commands, portfolio: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "publish",
        parents=[config_parent()],
        help="publish the site as a version (per audit) with mike, with its changes page",
        description="Build the site and commit it as VERSION to the deployment branch with mike "
        "(redirect aliases), titled with its as-of date; the version records its source commit "
        "and the previous version, and gets a page of the changes since that version.",
    )
    parser.add_argument("version", metavar="VERSION", help="e.g. 2025.1 or audit-2025-03")
    parser.add_argument("--alias", default="latest", help="alias to move (default: latest)")
    parser.add_argument("--title", default=None, help="title in the version selector")
    parser.add_argument("--branch", default="gh-pages", help="default: gh-pages")
    parser.add_argument("--push", action="store_true", help="push the branch to origin")
    parser.set_defaults(run=_run_publish)


def _run_publish(args: argparse.Namespace) -> int:
    from generator.engines.publish import publish
    from generator.engines.zensical_project import read_project  # reads mkdocs.yml alone

    if not args.config_file.is_file():
        raise UsageError(f"no such file: {args.config_file}")
    found, report = validate_portfolio(read_project(args.config_file).portfolio)
    if found is None:
        sys.stdout.write(format_report(report, resolve_format(None)))
        return EXIT_PROBLEMS
    done = publish(
        args.config_file,
        args.version,
        alias=args.alias or None,
        title=args.title,
        as_of=found.config.as_of.isoformat(),
        push=args.push,
        branch=args.branch,
    )
    since = f", changes since {done.previous}" if done.previous else ""
    print(f"certfolio: published {done.title} to {args.branch}{since}")
    return EXIT_OK
