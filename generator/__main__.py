"""`python -m generator` runs the certfolio command line."""

from generator.cli import command

raise SystemExit(command())
