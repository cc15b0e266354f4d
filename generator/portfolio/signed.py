"""Signed files: what the parse cache keeps between runs, trusted only when this user wrote it.

A signed file is `magic + header + HMAC-SHA256(key, header + payload) + payload`. The key is
random, made once and kept outside every project (`user_key_file`, mode 0600), so a file
committed in a pull request, restored from another job's CI cache or copied from another
machine fails the check and is never unpickled. The header (a cache key, say) can be compared
before the MAC is computed, so a file for other inputs costs no hashing. Files are written to a
temporary file beside them, then `os.replace`d: readers see a whole file or the previous one.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pickle
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from generator.portfolio.source import read_limited

KEY_BYTES = 32
MAC_BYTES = 32
T = TypeVar("T")


def user_key_file() -> Path | None:
    """Where the user's HMAC key lives: `$XDG_CACHE_HOME/certfolio/parse-cache.key`, by default
    `~/.cache/certfolio/parse-cache.key`; outside every project, so no repository, download
    or restored CI cache can bring a key along with a pack. None when there is no home."""
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except (RuntimeError, KeyError):
        return None
    return base / "certfolio" / "parse-cache.key"


@dataclass
class UserKey:
    """The user's HMAC key in `path`, read once, made when first needed to write."""

    path: Path | None
    _secret: bytes | None = field(default=None, repr=False)

    def get(self, *, create: bool) -> bytes | None:
        """The key; None when there is none (and not `create`) or no place for one. Raises
        `OSError` when a new key cannot be stored. A new key is stored with `os.link`, which
        never replaces a key another process stored first."""
        if self._secret is not None or self.path is None:
            return self._secret
        path = self.path
        self._secret = _read_key(path)
        if self._secret is not None or not create:
            return self._secret
        fresh = secrets.token_bytes(KEY_BYTES)
        tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_new(tmp, fresh)
            try:
                os.link(tmp, path)
            except FileExistsError:  # another process was first, or the key is damaged
                stored = _read_key(path)
                if stored is not None:
                    fresh = stored
                else:
                    os.replace(tmp, path)
            except OSError:  # no hard links on this file system
                os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
        self._secret = fresh
        return fresh


def opened(blob: bytes, magic: bytes, secret: bytes | None, header: bytes = b"") -> bytes | None:
    """The payload of a signed file's bytes, or None unless it starts with `magic` and
    `header` and its MAC checks out under `secret`."""
    start = len(magic) + len(header)
    if secret is None or blob[:start] != magic + header:
        return None
    payload = blob[start + MAC_BYTES :]
    given = blob[start : start + MAC_BYTES]
    return payload if hmac.compare_digest(given, _mac(secret, header, payload)) else None


def read_signed(
    path: Path, magic: bytes, key: UserKey, limit: int, header: bytes = b""
) -> bytes | None:
    """The payload of the signed file `path` (see `opened`); None when it is missing, past
    `limit`, not a regular file or not signed with the user's key. Raises nothing."""
    try:
        blob = read_limited(path, limit)
    except OSError:
        return None
    if blob[: len(magic) + len(header)] != magic + header:
        return None
    return opened(blob, magic, key.get(create=False), header)


def file_of(folder: Path, prefix: str, root: Path) -> Path:
    """`folder/<prefix><digest>.pack`: one signed file per portfolio folder `root`."""
    name = hashlib.sha256(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return folder / f"{prefix}{name}.pack"


def load_signed(
    path: Path, magic: bytes, key: UserKey, limit: int, header: bytes, kind: type[T]
) -> T | None:
    """The object of type `kind` pickled in the signed file (`read_signed`), or None."""
    payload = read_signed(path, magic, key, limit, header)
    if payload is None:
        return None
    try:
        found = pickle.loads(payload)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    return found if isinstance(found, kind) else None


def write_signed(
    path: Path, magic: bytes, secret: bytes, payload: bytes, header: bytes = b""
) -> None:
    """Write a signed file whole (temporary file, then `os.replace`); raises `OSError`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        write_new(tmp, magic + header + _mac(secret, header, payload) + payload)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _read_key(path: Path) -> bytes | None:
    try:
        stored = read_limited(path, KEY_BYTES)
    except OSError:
        return None
    return stored if len(stored) == KEY_BYTES else None


def _mac(secret: bytes, header: bytes, payload: bytes) -> bytes:
    mac = hmac.new(secret, header, "sha256")
    mac.update(payload)
    return mac.digest()


def write_new(path: Path, content: bytes) -> None:
    """Write a new file readable by its owner only; never through a symlink."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0), 0o600)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
