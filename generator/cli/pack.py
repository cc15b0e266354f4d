"""The audit pack an auditor takes away: `certfolio site --offline` (the offline zip) and
`certfolio pdf` (the PDF binder). `site` (in `cli/site.py`) takes its `--offline` options from
here and hands an offline build to `run_offline`."""

from __future__ import annotations

import argparse
from pathlib import Path

from generator.cli.common import Commands, config_parent, stage_times
from generator.errors import EXIT_OK, BuildFailed, UsageError

# --- site --offline ---------------------------------------------------------------------


def add_offline_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--offline",
        action="store_true",
        help="build the offline copy instead: a zip to open from disk with no network "
        "(search included), <id>-<version>-offline.zip beside the site folder; always a "
        "clean build, site/ is not touched (with -d, the unzipped site is kept there)",
    )
    parser.add_argument(
        "--offline-zip",
        type=Path,
        default=None,
        metavar="PATH",
        help="where to write the offline zip (implies --offline)",
    )


def run_offline(args: argparse.Namespace) -> int:
    if args.engine != "mkdocs":
        raise UsageError("--offline builds with MkDocs only (Material's offline plugin)")
    from generator.engines.offline import build_offline  # MkDocs is imported only here

    result = build_offline(args.config_file, args.site_dir, args.offline_zip, strict=args.strict)
    if result.problems:
        raise BuildFailed("the offline copy was not built:", result.problems)
    print(
        f"certfolio: offline copy written to {result.zip_path} ({result.files} files; "
        f"{stage_times(result.timings)})"
    )
    return EXIT_OK


# --- pdf --------------------------------------------------------------------------------


def _add_pdf(commands: Commands, portfolio: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "pdf",
        parents=[config_parent()],
        help="write the whole portfolio as one PDF binder (printed by Chromium)",
        description="Build the site into a temporary folder and print all of it as one PDF: "
        "a cover, contents with page numbers, each category with its requirements, the "
        "metrics with their charts (vector) and monthly tables, findings, evidence and "
        "registers, with bookmarks, page numbers and internal links. The same commit gives "
        "the same bytes. Needs Chromium (make browser-deps) and Playwright "
        "(pip install 'certfolio[pdf]').",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="FILE",
        help="the PDF to write (default: <id>-<version>-binder.pdf beside the site folder)",
    )
    parser.set_defaults(run=_run_pdf)


def _run_pdf(args: argparse.Namespace) -> int:
    if not args.config_file.is_file():
        raise UsageError(f"no such file: {args.config_file}")
    from generator.engines.pdf import build_pdf  # MkDocs and Playwright only for this command

    result = build_pdf(args.config_file, args.output)
    if result.problems:
        raise BuildFailed("the PDF was not written:", result.problems)
    print(
        f"certfolio: PDF binder written to {result.path} ({result.pages} pages; "
        f"{stage_times(result.timings)})"
    )
    return EXIT_OK
