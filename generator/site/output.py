"""Writing an output folder whole or not at all: a lock, a staging folder, a swap-in.

Every command that writes a folder (`certfolio build --out`, `certfolio site`) writes into a
fresh staging folder beside the target and swaps it in by renames only when everything
succeeded, so a failed or killed build leaves the previous output as it was. A lock file
beside the target makes a second build of the same folder fail fast instead of interleaving.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.errors import CertfolioError


class OutputBusy(CertfolioError):
    """Another build is writing the same output folder."""


@contextmanager
def output_lock(target: Path) -> Iterator[None]:
    """Hold `.<name>.lock` beside `target` (with this process's pid in it) while building."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "a+", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            pid = lock.read().strip() or "?"
            raise OutputBusy(f"a build of {target} is already running (pid {pid})") from None
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        yield


def sweep(target: Path) -> None:
    """Remove folders a killed build left beside the target."""
    for pattern in (f".{target.name}-new-*", f".{target.name}-old-*"):
        for leftover in target.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


def new_staging(target: Path) -> Path:
    """A fresh, empty folder beside `target` to build into."""
    return Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))


def swap_in(new: Path, target: Path) -> None:
    """Replace `target` by the folder `new` (same parent); the old one is removed after."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
        old.rmdir()
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
