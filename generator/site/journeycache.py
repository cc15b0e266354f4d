"""The journey kept between builds, keyed by everything it could depend on but free text.

The journey assesses the portfolio at every month end (`assess.journey`): seconds at scale,
and the same after most edits, which change what records say, not their dates, data, links
or states. So it is stored per portfolio folder under a key (`journey_key`): a SHA-256 over
the source of the assessment and model code, the as-of date, the configuration and every
record with its `title`, `description`, `notes`, `wording` and position (`span`) left out,
the only fields no status reads. Every other field counts, whatever it is: a field added to
a record later is part of the key by default. The key covers the records as `repr` writes
them, which is exact for their dates, numbers, text and enums.

The file is signed with the user's key (`portfolio.signed`), like the parse cache: one that
fails the check, or holds another key, is ignored and the journey computed again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import pickle
from pathlib import Path
from typing import Any

import numpy

from generator import __version__
from generator import model as m
from generator.assess.journey import Journey
from generator.portfolio.signed import (
    UserKey,
    file_of,
    load_signed,
    user_key_file,
    write_signed,
)

MAGIC = b"certfolio-journey-1\n"
LIMIT = 1 << 28
#: Fields that hold what a record says, never what decides a status.
TEXT_FIELDS = ("title", "description", "notes", "wording", "span")


@functools.cache
def _code() -> bytes:
    """The source of what computes a journey (the assessment and the model), with certfolio's
    and numpy's versions."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"{__version__} numpy {numpy.__version__}\0".encode())
    for folder in ("assess", "model"):
        for source in sorted((package / folder).glob("*.py")):
            digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.digest()


def _bare(record: Any) -> Any:
    """The record without its free text (`TEXT_FIELDS`)."""
    names = {f.name for f in dataclasses.fields(record)}
    return dataclasses.replace(record, **{n: None for n in TEXT_FIELDS if n in names})


def journey_key(portfolio: m.Portfolio, as_of: dt.date) -> bytes:
    """What the journey of `portfolio` up to `as_of` depends on (see the module docstring)."""
    records = (
        portfolio.requirements,
        portfolio.evidence,
        portfolio.metrics,
        portfolio.findings,
    )
    digest = hashlib.sha256(_code())
    digest.update(repr((as_of, portfolio.config)).encode("utf-8", "surrogateescape"))
    for kind in records:
        for ident, record in kind.items():
            text = repr((ident, _bare(record)))
            digest.update(text.encode("utf-8", "surrogateescape") + b"\0")
    return digest.digest()


@dataclasses.dataclass
class JourneyCache:
    """Journeys kept in `folder`, one per portfolio folder, signed with the user's key."""

    folder: Path
    key: UserKey = dataclasses.field(default_factory=lambda: UserKey(user_key_file()))

    def _file(self, root: Path) -> Path:
        return file_of(self.folder, "journey-", root)

    def get(self, root: Path, key: bytes) -> Journey | None:
        return load_signed(self._file(root), MAGIC, self.key, LIMIT, key, Journey)

    def put(self, root: Path, key: bytes, journey: Journey) -> None:
        """Store it; a folder or key that cannot be written means no cache (nothing raised)."""
        try:
            secret = self.key.get(create=True)
            if secret is not None:
                payload = pickle.dumps(journey, protocol=pickle.HIGHEST_PROTOCOL)
                write_signed(self._file(root), MAGIC, secret, payload, key)
        except OSError:
            return
