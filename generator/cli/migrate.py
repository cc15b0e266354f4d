"""Subcommand `migrate`: move a portfolio to a new release of a standard (dry run by default)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.cli.common import Commands, portfolio_of, resolve_format
from generator.diagnostics import format_report, plural
from generator.errors import EXIT_OK, EXIT_PROBLEMS
from generator.portfolio.validate import validate_portfolio


def _add_migrate(commands: Commands, portfolio: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "migrate",
        parents=[portfolio],
        help="move a standard to a new release with a clause mapping file (a diff)",
        description="Rename the clauses of a standard (the primary one, or --standard) that "
        "requirements map to and portfolio.yaml lists, from FILE (YAML: OLD: NEW, or CSV "
        "with the columns old,new), and set the standard's release to RELEASE. Prints the "
        "change as a unified diff and writes nothing unless --write; lists the clauses of "
        "the new release left without a requirement.",
    )
    parser.add_argument("--to", required=True, metavar="RELEASE", help="the new release")
    parser.add_argument("--map", required=True, type=Path, metavar="FILE", help="old → new")
    parser.add_argument("--standard", metavar="ID", help="default: the primary standard")
    parser.add_argument("--write", action="store_true", help="apply the change to the files")
    parser.set_defaults(run=_run_migrate)


def _run_migrate(args: argparse.Namespace) -> int:
    from generator.review.migrate import plan_migration, read_mapping

    mapping = read_mapping(args.map)
    portfolio, report = validate_portfolio(portfolio_of(args))
    if portfolio is None:
        sys.stdout.write(format_report(report, resolve_format(None)))
        print("certfolio: fix the errors before migrating", file=sys.stderr)
        return EXIT_PROBLEMS
    plan = plan_migration(portfolio, args.to, mapping, args.standard)
    name = f"{plan.standard.id} {plan.standard.release or '(no release)'} → {plan.release}"
    if not args.write:
        sys.stdout.write(plan.diff())
    files = plural(len(plan.changes), "file")
    references = plural(plan.renamed, "clause reference")
    if not plan.changes:
        print(f"certfolio: {name}: nothing to change")
    elif args.write:
        plan.write()
        print(f"certfolio: {name}: changed {files} ({references} in requirements)")
    else:
        print(
            f"certfolio: {name}: would change {files} ({references} in requirements); "
            "run again with --write to apply"
        )
    if plan.unmapped:
        print(
            f"Clauses of {plan.standard.id} {plan.release} left without a requirement "
            f"({len(plan.unmapped)}): {', '.join(plan.unmapped)}"
        )
    for rid, clause in plan.implicit:
        print(
            f"  {rid} stands for its own clause, which {plan.release} calls '{clause}': "
            "rename the requirement or map it by hand"
        )
    if plan.unused:
        print(f"Not used in the portfolio (a typo?): {', '.join(plan.unused)}")
    return EXIT_OK
