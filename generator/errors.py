"""The one family of errors the command line reports: a message, details and an exit code.

Problems *in a portfolio* are diagnostics collected in a `Report` (see `diagnostics`), never
exceptions. A `CertfolioError` is for what stops a command as a whole: no portfolio where one
was named, a site build that failed, an output folder that may not be replaced. The CLI prints
it as `certfolio: error: MESSAGE` (each detail indented below) and exits with its code; any
other exception is a bug and is reported as an internal error.
"""

from __future__ import annotations

from collections.abc import Sequence

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class CertfolioError(Exception):
    """A command could not do its work; the message says why in a user's terms."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, message: str, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.details = tuple(details)


class UsageError(CertfolioError):
    """The command was asked for something that cannot be: a missing file, a bad option."""

    exit_code = EXIT_USAGE


class PortfolioNotFound(UsageError):
    """The folder named is not a portfolio (no folder, or no portfolio.yaml in it)."""


class BuildFailed(CertfolioError):
    """A site build reported problems; the previous output was left as it was."""
