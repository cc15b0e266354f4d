"""The two sides of a diff: git revisions of the repository holding the portfolio, the working
tree, or portfolio folders, each read and validated on its own.

A revision is materialised read-only into a temporary folder with git's own checkout code and a
*temporary* index: `git read-tree REV` into an index file under the temporary folder, then
`git checkout-index --prefix=TMP/` for the files under the portfolio's path. Nothing of the
user's repository changes: not the work tree, not the index, not `.git/worktrees` (which
`git worktree add` would write, and leave behind if killed). Unlike `git archive`, this applies
the same filters and line endings as a checkout (LFS, `eol`) and no `export-ignore` or
`export-subst`, so a side reads exactly what a checkout of it would hold; git itself refuses
paths that would leave the folder.

The copy sits at `TMP/tree/<repository folder name>/<path in the repository>`, so diagnostics
name files exactly as they do for the working tree (paths from the portfolio's parent folder).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from generator import model as m
from generator.diagnostics import Report
from generator.errors import PortfolioNotFound, UsageError
from generator.portfolio.validate import validate_portfolio

GIT_TIMEOUT = 120  # seconds: a checkout of a portfolio that takes longer is not a portfolio


class SideKind(StrEnum):
    REVISION = "revision"
    WORKING_TREE = "working tree"
    FOLDER = "folder"


@dataclass(frozen=True)
class Source:
    """Where one side comes from: what the user named, and the commit it resolved to."""

    name: str  # "base" | "head"
    kind: SideKind
    text: str  # the revision or folder as given; "working tree" for the working tree
    revision: str | None = None  # the full commit ID of a revision

    @property
    def short(self) -> str:
        """The commit's short ID, the folder as given, or 'working tree'."""
        return self.revision[:7] if self.revision else self.text

    @property
    def label(self) -> str:
        """`base (a1b2c3d)`, `head (working tree)`, `base (old/evidence)`: names the side in
        diagnostics and reports."""
        return f"{self.name} ({self.short})"


@dataclass(frozen=True)
class Side:
    """One side read and validated; `portfolio` is None when it has errors (see `report`)."""

    source: Source
    folder: Path  # the portfolio folder read: a temporary copy for a revision
    portfolio: m.Portfolio | None
    report: Report

    def attachment_hashes(self) -> dict[str, str]:
        """SHA-256 of every attachment the portfolio references, by its portfolio path."""
        if self.portfolio is None:
            return {}
        paths = {a.path for e in self.portfolio.evidence.values() for a in e.attachments}
        return {path: _sha256(self.folder / path) for path in sorted(paths)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Repository:
    """The git work tree holding the portfolio, and the portfolio's path inside it."""

    top: Path
    path: str  # '/'-separated, '.' when the portfolio is the repository's top folder


def _run(top: Path, args: list[str], env: dict[str, str] | None, data: bytes | None) -> bytes:
    """Run git in `top` and return its output; a failure raises `_GitFailed` with git's
    message, for the caller to explain."""
    try:
        done = subprocess.run(
            ["git", "-C", str(top), *args],
            input=data if data is not None else b"",
            capture_output=True,
            env=env,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise _GitFailed(f"git {args[0]} took more than {GIT_TIMEOUT} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise _GitFailed(message or f"git {args[0]} exited with {done.returncode}")
    return done.stdout


def _git(top: Path, *args: str) -> str:
    return _run(top, list(args), None, None).decode("utf-8", "surrogateescape")


class _GitFailed(Exception):
    """Raised by `_git` when git exits non-zero; caught in this module and turned into a
    `UsageError` that says what the user asked for."""


def find_repository(portfolio: Path) -> Repository:
    """The work tree holding `portfolio` (which need not exist in the working tree)."""
    folder = portfolio.absolute()
    probe = next((p for p in (folder, *folder.parents) if p.is_dir()), Path.cwd())
    try:
        top = Path(_git(probe, "rev-parse", "--show-toplevel").strip()).resolve()
    except (_GitFailed, OSError) as exc:
        raise UsageError(
            f"'{portfolio}' is not in a git work tree, so revisions cannot be read",
            [str(exc), "name two portfolio folders instead, or run inside the repository"],
        ) from None
    resolved = (probe.resolve() / folder.relative_to(probe)).resolve()
    if not resolved.is_relative_to(top):
        raise UsageError(f"the portfolio '{portfolio}' is outside the repository {top}")
    return Repository(top, resolved.relative_to(top).as_posix())


def resolve_revision(repo: Repository, name: str, text: str) -> Source:
    """The commit `text` names; an unknown revision is a usage error (exit 2)."""
    try:
        commit = _git(
            repo.top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{text}^{{commit}}"
        ).strip()
    except _GitFailed:
        raise UsageError(
            f"unknown revision for {name}: {text!r}",
            [
                f"no commit of the repository {repo.top} has that name; try a branch, tag or "
                "commit ID (git log --oneline), or a portfolio folder"
            ],
        ) from None
    return Source(name, SideKind.REVISION, text, commit)


def materialise(repo: Repository, source: Source, into: Path) -> Path:
    """Check out the portfolio's files of `source.revision` under `into`; the folder path."""
    assert source.revision is not None
    tree = into / "tree"
    into.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GIT_INDEX_FILE": str(into / "index")}
    for variable in ("GIT_WORK_TREE", "GIT_DIR"):  # the -C repository, never an inherited one
        env.pop(variable, None)
    pathspec = [] if repo.path == "." else ["--", repo.path]
    try:
        _run(repo.top, ["read-tree", source.revision], env, None)
        names = _run(
            repo.top, ["ls-tree", "-r", "-z", "--name-only", source.revision, *pathspec], None, None
        )
        if names:
            prefix = f"--prefix={tree / repo.top.name}/"
            _run(repo.top, ["checkout-index", "-z", "--stdin", prefix], env, names)
    except _GitFailed as exc:
        raise UsageError(
            f"cannot read the portfolio of {source.label} from git", [str(exc)]
        ) from None
    return tree / repo.top.name / repo.path


def is_portfolio_folder(text: str) -> bool:
    """Whether `text` names a folder holding a portfolio.yaml (else it is a revision)."""
    folder = Path(text)
    return any((folder / f"portfolio{suffix}").is_file() for suffix in (".yaml", ".yml"))


def resolve_sources(
    base: str, head: str | None, portfolio: Path
) -> tuple[Source, Source, Repository | None]:
    """What BASE and HEAD name: a folder holding a portfolio.yaml is a portfolio folder,
    anything else a revision of the repository holding `portfolio`; no HEAD means the
    working tree."""
    repo: Repository | None = None
    sources = []
    for name, text in (("base", base), ("head", head)):
        if text is None:
            sources.append(Source(name, SideKind.WORKING_TREE, "working tree"))
        elif is_portfolio_folder(text):
            sources.append(Source(name, SideKind.FOLDER, text))
        else:
            try:
                repo = repo or find_repository(portfolio)
                sources.append(resolve_revision(repo, name, text))
            except UsageError:
                if Path(text).is_dir():
                    raise UsageError(
                        f"{name}: the folder '{text}' holds no portfolio.yaml, and no revision "
                        "has that name",
                        ["name a portfolio folder (the one with portfolio.yaml) or a revision"],
                    ) from None
                raise
    return sources[0], sources[1], repo


def _read(source: Source, folder: Path, repo: Repository | None) -> Side:
    try:
        portfolio, report = validate_portfolio(folder)
    except PortfolioNotFound as exc:
        if source.kind == SideKind.REVISION and repo is not None:
            raise UsageError(
                f"{source.label} has no portfolio at '{repo.path}'",
                ["name the portfolio folder with -p/--portfolio (its path in the working tree)"],
            ) from None
        raise UsageError(f"{source.label} holds no portfolio", [exc.message]) from None
    return Side(source, folder, portfolio, report)


@contextmanager
def open_sides(base: str, head: str | None, portfolio: Path) -> Iterator[tuple[Side, Side]]:
    """Both sides, read and validated; temporary copies are removed when the block ends."""
    base_source, head_source, repo = resolve_sources(base, head, portfolio)
    with tempfile.TemporaryDirectory(prefix="certfolio-diff-") as tmp:
        sides = []
        for source in (base_source, head_source):
            if source.kind == SideKind.REVISION:
                assert repo is not None
                folder = materialise(repo, source, Path(tmp) / source.name)
            elif source.kind == SideKind.FOLDER:
                folder = Path(source.text)
            else:
                folder = portfolio
            sides.append(_read(source, folder, repo))
        yield sides[0], sides[1]
