"""Writing an output folder whole or not at all, and never over anything else.

Every command that writes a folder (`certfolio build --out`, `certfolio site`) first checks the
target with `check_target`: it refuses a folder that is or contains the portfolio, the MkDocs
configuration, the docs or templates folders, the repository root or `.git`, an existing file,
and an existing folder that is not recognisably a previous certfolio output (it holds the
`MARKER` file every output gets, or a certfolio `manifest.json`). Then it writes into a fresh
staging folder beside the target and swaps it in by renames only when everything succeeded,
so a failed or killed build leaves the previous output as it was; `sweep` puts back a previous
output that a kill between the two renames left aside. A lock file beside the target makes a
second build of the same folder fail fast instead of interleaving.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.errors import CertfolioError, UsageError

#: Written into every output folder; its presence says "certfolio may replace this folder".
MARKER = ".certfolio-output"
MARKER_TEXT = "This folder is written by certfolio and replaced whole on every build.\n"


class OutputBusy(CertfolioError):
    """Another build is writing the same output folder."""


class OutputRefused(UsageError):
    """The output folder would destroy files that are not a previous certfolio output."""


def repository_root(folder: Path) -> Path | None:
    """The top of the git work tree holding `folder`, if any."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    top = done.stdout.strip()
    return Path(top).resolve() if done.returncode == 0 and top else None


def _is_previous_output(folder: Path) -> bool:
    if (folder / MARKER).is_file():
        return True
    try:  # a site built before the marker existed: its manifest says it is certfolio's
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and {"schema_version", "inputs"} <= manifest.keys()


def check_target(target: Path, protected: Iterable[tuple[str, Path]]) -> Path:
    """The absolute target when it may be replaced; else `OutputRefused`, nothing touched.

    `protected` names what must survive (the portfolio, the configuration, templates ...) as
    (what, path) pairs; the repository root and its `.git` are always protected.
    """
    resolved = target.absolute().parent.resolve() / target.name
    if target.name in ("", ".", ".."):
        resolved = target.resolve()
    guarded = list(protected)
    folders = {path if path.is_dir() else path.parent for _, path in guarded}
    tops = {top for top in map(repository_root, sorted(folders)) if top is not None}
    for top in sorted(tops):  # one git call per folder, each repository guarded once
        guarded += [("the repository root", top), ("the repository's .git", top / ".git")]
    for what, path in guarded:
        path = path.resolve()
        if resolved == path or resolved in path.parents:
            raise OutputRefused(
                f"refusing to write output to {target}: it would replace {what} ({path})",
                ["choose an output folder of its own, such as site/"],
            )
        if path.is_dir() and path in resolved.parents and what != "the repository root":
            raise OutputRefused(
                f"refusing to write output to {target}: it is inside {what} ({path})",
                ["choose an output folder outside it, such as site/ beside mkdocs.yml"],
            )
    if resolved.is_symlink() or (resolved.exists() and not resolved.is_dir()):
        raise OutputRefused(
            f"refusing to write output to {target}: it exists and is not a folder",
            ["choose a folder name; certfolio replaces its output folder whole"],
        )
    if resolved.is_dir() and any(resolved.iterdir()) and not _is_previous_output(resolved):
        raise OutputRefused(
            f"refusing to replace {target}: it is not empty and was not written by certfolio "
            f"(no {MARKER} file in it)",
            ["remove the folder yourself, or choose another output folder"],
        )
    return resolved


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
    """Clean up after a killed build: restore an orphaned previous output, drop the rest.

    A kill between the two renames of `swap_in` leaves no target and the previous output in
    `.<name>-old-*`: that folder is put back before anything is removed.
    """
    olds = sorted(target.parent.glob(f".{target.name}-old-*"), key=lambda p: p.stat().st_mtime)
    if not target.exists() and olds:
        os.replace(olds.pop(), target)
    for leftover in [*olds, *target.parent.glob(f".{target.name}-new-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def new_staging(target: Path) -> Path:
    """A fresh, empty folder beside `target`, readable as the umask allows (`mkdtemp` makes
    it 0700, which a web server user could not read); `swap_in` adds the marker."""
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
    staging.chmod(0o777 & ~_umask())
    return staging


def swap_in(new: Path, target: Path) -> None:
    """Mark `new` as certfolio's output and replace `target` by it (same parent); the old
    one is removed after."""
    (new / MARKER).write_text(MARKER_TEXT, "utf-8")
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
        old.rmdir()
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
