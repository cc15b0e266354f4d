"""`certfolio site --offline`: the site as a zip an auditor opens from disk with no network.

The build is the ordinary MkDocs build (`mkdocs.build_site`, strict, staged, swapped in) with
two plugins added to the loaded configuration: Material's `offline` plugin (search from
`file://`: the index inlined as a script, the search worker run in an iframe) and
`OfflineSupport`, which vendors what the offline plugin would load from a CDN at run time
(the iframe-worker shim, shipped in `offline_assets/` with its licence), and fails the build
when any page still loads a
script, stylesheet, image or worker from another host. Offline builds are
always clean and keep no incremental state, so an offline site never seeds an ordinary
incremental build (and the other way round). Without `-d`, the offline site is built in a
temporary folder and only the zip stays.

The zip (`<portfolio id>-<version>-offline.zip`, the version being the release `certfolio
publish` builds, else the as-of date) holds one folder of that name with the site and
`SHA256SUMS` (every other file with its SHA-256, `sha256sum -c` reads it). It is deterministic:
entries sorted, every timestamp the portfolio's commit time (`SOURCE_DATE_EPOCH`), fixed
permissions, fixed compression; the same commit gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from material.plugins.offline.plugin import OfflinePlugin  # type: ignore[import-untyped]
from mkdocs.config import base
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files

from generator.engines.mkdocs import CertfolioPlugin, build_site
from generator.errors import UsageError
from generator.site.release import Release

log = get_plugin_logger(__name__)

#: Where the vendored shim lands in the site (any polyfill URL naming "iframe-worker" keeps
#: Material's offline plugin from adding its CDN copy).
SHIM = "assets/javascripts/iframe-worker-shim.js"
ASSETS = Path(__file__).resolve().parent / "offline_assets"
#: The checksum list inside the zip, beside the site's files.
SUMS = "SHA256SUMS"
#: Written as the zip's comment: a file with it is one certfolio may replace.
COMMENT = b"certfolio offline copy"
#: A resource the browser loads by itself (not a link the reader follows) from another host.
REMOTE = re.compile(
    r"""<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\ssrc=["']?((?:https?:)?//[^"'\s>]+)"""
    r"""|<link\b[^>]*\shref=["']?((?:https?:)?//[^"'\s>]+)"""
    r"""|new\s+(?:Shared)?Worker\(\s*["']((?:https?:)?//[^"']+)"""
    r"""|"(?:search|worker)"\s*:\s*"((?:https?:)?//[^"]+)\"""",
    re.IGNORECASE,
)
#: Material features that cannot work from `file://`.
UNSUPPORTED_FEATURES = ("navigation.instant", "navigation.instant.prefetch")


class OfflineSupportConfig(base.Config):  # type: ignore[no-untyped-call]
    pass


class OfflineSupport(BasePlugin[OfflineSupportConfig]):  # type: ignore[no-untyped-call]
    """Vendors the iframe-worker shim and checks that the built site loads nothing remote."""

    @event_priority(90)  # before Material's offline plugin (0) adds the CDN shim
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        polyfills = [url for url in config.extra.get("polyfills", []) if "iframe-worker" not in url]
        config.extra["polyfills"] = [SHIM, *polyfills]
        features = config.theme.get("features") or []
        config.theme["features"] = [f for f in features if f not in UNSUPPORTED_FEATURES]
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        if files.get_file_from_path(SHIM) is None:
            content = (ASSETS / Path(SHIM).name).read_bytes()
            files.append(File.generated(config, SHIM, content=content))
        return files

    @event_priority(-200)  # after every other plugin has written its files
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        for problem in remote_resources(Path(config.site_dir)):
            log.warning(problem)


def remote_resources(site: Path) -> list[str]:
    """Every script, stylesheet, image, frame or worker a page or script of `site` loads from
    another host, as 'path: URL' (links a reader follows are not resources)."""
    found = []
    for path in sorted(site.rglob("*")):
        if path.suffix not in (".html", ".js") or not path.is_file():
            continue
        text = path.read_text("utf-8", errors="replace")
        for match in REMOTE.finditer(text):
            url = next(group for group in match.groups() if group)
            found.append(f"{path.relative_to(site).as_posix()}: loads {url} from the network")
    return found


@dataclass
class OfflineResult:
    """What `build_offline` did: the problems that stopped it, or the zip it wrote."""

    problems: list[str]
    zip_path: Path | None = None
    files: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def site_dir_of(config_file: Path) -> Path:
    """The configuration's site_dir (where the zip goes by default: beside it)."""
    from mkdocs.config import load_config

    try:
        config = load_config(str(config_file))
    except Exception as exc:  # a broken mkdocs.yml: one line, never a traceback
        raise UsageError(f"{config_file}: {exc}") from None
    return Path(config.site_dir)


def _safe(text: str) -> str:
    """A file-name part: letters, digits, '.', '_' and '-' only."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "portfolio"


def pack_name(portfolio_id: str, as_of: str, kind: str) -> str:
    """`<id>-<version>-<kind>`: the version is the release `certfolio publish` builds (from
    its environment), else the as-of date."""
    release = Release.from_environment()
    version = release.version if release is not None else as_of
    return f"{_safe(portfolio_id)}-{_safe(version)}-{kind}"


def build_offline(
    config_file: Path,
    site_dir: Path | None = None,
    zip_path: Path | None = None,
    *,
    strict: bool = False,
) -> OfflineResult:
    """Build the offline site (clean, into `site_dir` or a temporary folder) and zip it."""
    start = time.perf_counter()
    built: dict[str, Any] = {}

    def prepare(config: MkDocsConfig) -> None:
        plugin = config.plugins.get("certfolio")
        if isinstance(plugin, CertfolioPlugin):
            plugin.keep_state = False  # an offline site never seeds an incremental build
            built["plugin"] = plugin
        support = OfflineSupport()
        support.load_config({}, config.config_file_path)
        config.plugins["certfolio/offline-support"] = support
        if not any(isinstance(p, OfflinePlugin) for p in config.plugins.values()):
            offline = OfflinePlugin()
            offline.load_config({}, config.config_file_path)
            config.plugins["material/offline"] = offline

    with tempfile.TemporaryDirectory(prefix="certfolio-offline-") as scratch:
        target = site_dir if site_dir is not None else Path(scratch) / "site"
        result = build_site(config_file, target, strict=strict, clean=True, prepare=prepare)
        if result.problems:
            return OfflineResult(result.problems, timings=result.timings)
        plugin = built.get("plugin")
        if plugin is None or plugin.site is None:
            return OfflineResult(["the certfolio plugin is not configured in " + str(config_file)])
        manifest = json.loads(plugin.site.files["manifest.json"])
        name = pack_name(manifest["portfolio"], manifest["as_of"], "offline")
        if zip_path is None:
            zip_path = (site_dir or site_dir_of(config_file)).absolute().parent / f"{name}.zip"
        zipped = time.perf_counter()
        count = write_zip(target, zip_path, name, plugin.site.source.epoch)
    timings = dict(result.timings)
    timings["zip"] = time.perf_counter() - zipped
    timings["total"] = time.perf_counter() - start
    return OfflineResult([], zip_path, count, timings)


def _check_zip_target(path: Path) -> None:
    """Refuse to write over anything but a previous offline zip (nothing touched)."""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise UsageError(f"refusing to write the offline zip to {path}: it is not a file")
    if path.exists():
        try:
            with zipfile.ZipFile(path) as old:
                ours = old.comment == COMMENT
        except (OSError, zipfile.BadZipFile):
            ours = False
        if not ours:
            raise UsageError(
                f"refusing to replace {path}: it is not an offline zip written by certfolio",
                ["remove it yourself, or choose another path with --offline-zip"],
            )


def _entry(name: str, when: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, so the permissions below are read
    info.external_attr = (0o100644 << 16) if not name.endswith("/") else (0o40755 << 16) | 0x10
    return info


def write_zip(site: Path, path: Path, top: str, epoch: int) -> int:
    """Zip every file of `site` (dot files left out) under `top/`, with `SHA256SUMS`; returns
    the number of files. Written beside `path` first, renamed over it when complete."""
    _check_zip_target(path)
    files = sorted(
        p
        for p in site.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(site).parts)
    )
    names = [p.relative_to(site).as_posix() for p in files]
    if SUMS in names:
        raise UsageError(f"the site has a file named {SUMS}; the offline zip needs that name")
    stamp = dt.datetime.fromtimestamp(max(epoch, 315532800), dt.UTC)  # zip dates start in 1980
    when = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second // 2 * 2)
    sums: list[str] = []
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(partial, "w", compresslevel=9) as archive:
            archive.comment = COMMENT
            for name, file in sorted(zip(names, files, strict=True)):
                data = file.read_bytes()
                sums.append(f"{hashlib.sha256(data).hexdigest()}  {name}\n")
                archive.writestr(_entry(f"{top}/{name}", when), data)
            archive.writestr(_entry(f"{top}/{SUMS}", when), "".join(sums).encode())
        os.chmod(partial, 0o644)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return len(files) + 1


def read_sums(text: str) -> dict[str, str]:
    """`SHA256SUMS` as {path: sha256}."""
    pairs = (line.split("  ", 1) for line in text.splitlines() if line.strip())
    return {name: digest for digest, name in pairs}
