"""Subcommands that review change: review (record link reviews), diff."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from generator.cli.common import Commands, parse_date, portfolio_of, resolve_format
from generator.diagnostics import format_report, plural
from generator.errors import EXIT_OK, EXIT_PROBLEMS, UsageError
from generator.portfolio.validate import validate_portfolio

# --- review -----------------------------------------------------------------------------


def _add_review(commands: Commands, portfolio: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "review",
        help="record in reviews.yaml that suspect links were checked",
        description="Record that PERSON checked ITEM's suspect links (as owner or target), or "
        "the one link ITEM TARGET, in reviews.yaml; refuses when none is suspect. --new also "
        "records first reviews of never-reviewed links; --all reviews every link that needs it.",
    )
    parser.add_argument("item", nargs="?", metavar="ITEM", help="a record ID, or OWNER>TARGET")
    parser.add_argument("target", nargs="?", metavar="TARGET", help="only ITEM's link to it")
    parser.add_argument("--by", required=True, metavar="PERSON", help="a person in portfolio.yaml")
    parser.add_argument("--date", type=parse_date, metavar="DATE", help="default: today")
    parser.add_argument("--new", action="store_true", help="include never-reviewed links")
    parser.add_argument("--all", action="store_true", help="every link that needs a review")
    parser.add_argument("-p", "--portfolio", type=Path, metavar="PORTFOLIO_DIR")
    parser.set_defaults(run=_run_review)


def _run_review(args: argparse.Namespace) -> int:
    from generator.review.record import record_reviews

    portfolio, report = validate_portfolio(portfolio_of(args))
    if portfolio is None:
        sys.stdout.write(format_report(report, resolve_format(None)))
        return EXIT_PROBLEMS
    date = args.date or dt.date.today()  # a review is dated the day it is recorded
    done = record_reviews(
        portfolio, args.item, args.target, by=args.by, date=date, new=args.new, every=args.all
    )
    where = portfolio_of(args) / done.path.name
    print(f"certfolio: recorded {plural(len(done.written), 'review')} by {args.by} in {where}")
    for link, why in done.written:
        print(f"  {link.key} ({why})")
    for key in done.removed:
        print(f"  {key} (removed: the link no longer exists)")
    return EXIT_OK


# --- diff -------------------------------------------------------------------------------


def _add_diff(commands: Commands, portfolio: argparse.ArgumentParser) -> None:
    from generator.review.changes import FAIL_ON
    from generator.review.report import FORMATS as DIFF_FORMATS

    parser = commands.add_parser(
        "diff",
        help="what a change does to the portfolio: statuses, evidence, data, suspect links",
        description="Compare BASE with HEAD (git revisions of the repository holding the "
        "portfolio, or portfolio folders; HEAD defaults to the working tree), both assessed "
        "as of HEAD's as_of (or --as-of). Exit 1 when --fail-on holds or a side has errors.",
    )
    parser.add_argument("base", metavar="BASE", help="a revision (main, v1.2, a1b2c3d) or folder")
    parser.add_argument("head", nargs="?", metavar="HEAD", help="default: the working tree")
    parser.add_argument("-p", "--portfolio", type=Path, metavar="DIR", help="default: ./evidence")
    parser.add_argument("--as-of", type=parse_date, metavar="DATE", help="default: HEAD's as_of")
    parser.add_argument("--format", choices=DIFF_FORMATS, default="text", help="default: text")
    parser.add_argument("--site-url", metavar="URL", help="link IDs to the published pages")
    parser.add_argument("--fail-on", choices=FAIL_ON, help="exit 1 when this holds")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="default: stdout")
    parser.set_defaults(run=_run_diff)


def _run_diff(args: argparse.Namespace) -> int:
    from generator.review.diff import diff_sides
    from generator.review.report import render_diff, render_failure
    from generator.review.sides import open_sides
    from generator.site.escape import md_inline

    if args.site_url and not args.site_url.startswith(("https://", "http://")):
        raise UsageError(f"--site-url must start with https:// or http://, got {args.site_url!r}")
    with open_sides(args.base, args.head, portfolio_of(args)) as (base, head):
        valid = base.portfolio is not None and head.portfolio is not None
        diff = diff_sides(base, head, args.as_of) if valid else None
        text = (
            render_diff(diff, args.format, md_inline, args.site_url)
            if diff is not None
            else render_failure((base, head), args.format, md_inline)
        )
    if args.output:
        args.output.write_text(text, "utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_PROBLEMS if diff is None or diff.fails(args.fail_on) else EXIT_OK
