"""The project Zensical builds, written from the user's `mkdocs.yml` and the generated site.

Zensical reads `mkdocs.yml` but runs no third-party plugin, so what the MkDocs plugin adds during
a build is written here before one: `read_project` reads the user's configuration (its certfolio
entry gives the portfolio, templates and chart cache); `write_docs` writes a docs folder with
the user's own files, the generated pages and files and our stylesheet; `write_config` writes
the theme overrides (ours, then the user's file by file) and a configuration pointing at them,
with the portfolio's language, the navigation the plugin would set, no web fonts, and no
certfolio or mike entry. An attachment that Zensical would render (a `.md` file) is written as
an empty placeholder page, so links to it pass Zensical's check; `generator.engines.zensical`
puts the attachment's own bytes back after the build.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.engines.common import STYLESHEET, navigation, packaged
from generator.errors import CertfolioError, UsageError
from generator.site.build import Site
from generator.site.i18n import Labels

_DROPPED_PLUGINS = {"certfolio", "mike"}  # ours runs before Zensical; mike deploys, never builds
_PLACEHOLDER = "---\nsearch:\n  exclude: true\n---\n\nAttachment.\n"


# --- the user's mkdocs.yml -------------------------------------------------------------


class _Tagged:
    """A value under a tag only Zensical resolves (`!!python/name:...`), written back as is."""

    def __init__(self, tag: str, value: Any) -> None:
        self.tag, self.value = tag, value


class _Loader(yaml.SafeLoader):
    """Reads mkdocs.yml: `!ENV` resolved the way MkDocs and Zensical do, other tags kept."""


class _Dumper(yaml.SafeDumper):
    """Writes the private configuration, tags included."""


def _construct_env(loader: _Loader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    elif isinstance(node, yaml.SequenceNode) and node.value:  # [NAME, ..., default]
        nodes, default = node.value, None
        if len(nodes) > 1:
            nodes, default = nodes[:-1], loader.construct_object(nodes[-1])
        names = [loader.construct_scalar(n) for n in nodes]
    else:
        raise yaml.constructor.ConstructorError(None, None, "!ENV needs a name", node.start_mark)
    for name in names:
        if str(name) in os.environ:
            value = os.environ[str(name)]
            tag = loader.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
            return loader.construct_object(yaml.ScalarNode(tag, value))
    return default


def _construct_tagged(loader: _Loader, suffix: str, node: yaml.Node) -> _Tagged:
    if isinstance(node, yaml.ScalarNode):
        return _Tagged(node.tag, loader.construct_scalar(node))
    if isinstance(node, yaml.SequenceNode):
        return _Tagged(node.tag, loader.construct_sequence(node, deep=True))
    assert isinstance(node, yaml.MappingNode)
    return _Tagged(node.tag, loader.construct_mapping(node, deep=True))


def _represent_tagged(dumper: _Dumper, data: _Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


_Loader.add_constructor("!ENV", _construct_env)
_Loader.add_multi_constructor("!", _construct_tagged)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _construct_tagged)
_Dumper.add_representer(_Tagged, _represent_tagged)


def _read_yaml(path: Path) -> dict[str, Any]:
    """A configuration file with its `INHERIT` parent merged in, or a `UsageError`."""
    try:
        data = yaml.load(path.read_text("utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsageError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: the configuration must be a mapping")
    parent = data.pop("INHERIT", None)
    return _merge(_read_yaml(path.parent / str(parent)), data) if parent else data


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """MkDocs' INHERIT: mappings merge key by key, anything else is replaced."""
    merged = dict(base)
    for key, value in over.items():
        old = merged.get(key)
        merged[key] = (
            _merge(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
        )
    return merged


@dataclass
class Project:
    """The user's mkdocs.yml as Zensical will see it, and the certfolio entry's options."""

    config_file: Path
    settings: dict[str, Any]  # without the certfolio and mike plugin entries
    portfolio: Path
    templates: Path | None
    cache_dir: Path
    workers: int | None
    docs_dir: Path
    site_dir: Path
    custom_dir: Path | None

    def protected(self) -> list[tuple[str, Path]]:
        """What a site build must never write over: the configuration and what it reads."""
        found = [
            ("the MkDocs configuration", self.config_file),
            ("the docs folder", self.docs_dir),
            ("the portfolio", self.portfolio),
            ("the chart cache", self.cache_dir),
        ]
        if self.custom_dir:
            found.append(("the theme overrides folder", self.custom_dir))
        if self.templates:
            found.append(("the templates folder", self.templates))
        return found


def _split_plugins(plugins: Any) -> tuple[list[Any], dict[str, Any] | None]:
    """The plugin entries Zensical keeps, and the certfolio entry's options."""
    items = list(plugins.items()) if isinstance(plugins, dict) else None
    if items is None:
        items = []
        for entry in plugins or []:
            if isinstance(entry, dict) and len(entry) == 1:
                items.append(next(iter(entry.items())))
            else:
                items.append((entry, None))
    kept: list[Any] = []
    options = None
    for name, value in items:
        if name == "certfolio":
            options = dict(value or {})
        elif name not in _DROPPED_PLUGINS:
            kept.append(name if value is None else {name: value})
    return kept, options


def read_project(config_file: Path) -> Project:
    """What certfolio needs from `mkdocs.yml`; a `UsageError` names what is wrong."""
    settings = _read_yaml(config_file)
    base = config_file.parent
    settings["plugins"], options = _split_plugins(settings.get("plugins"))
    if options is None or not isinstance(options.get("portfolio"), str):
        raise UsageError(
            f"{config_file}: no certfolio plugin entry with a portfolio",
            ["add to plugins:  - certfolio: {portfolio: evidence}"],
        )

    def folder(value: Any, what: str) -> Path:
        path = base / str(value)
        if not path.is_dir():
            raise UsageError(f"{config_file}: {what} '{value}' is not an existing folder")
        return path

    theme = settings.get("theme")
    theme = dict(theme) if isinstance(theme, dict) else {"name": theme or "material"}
    settings["theme"] = theme
    custom = theme.get("custom_dir")
    workers = options.get("workers")
    return Project(
        config_file=config_file,
        settings=settings,
        portfolio=folder(options["portfolio"], "portfolio"),
        templates=folder(options["templates"], "templates") if options.get("templates") else None,
        cache_dir=base / str(options.get("cache_dir") or ".cache/certfolio"),
        workers=workers if isinstance(workers, int) else None,
        docs_dir=folder(settings.get("docs_dir", "docs"), "docs_dir"),
        site_dir=base / str(settings.get("site_dir", "site")),
        custom_dir=folder(custom, "theme.custom_dir") if custom else None,
    )


# --- the private project Zensical builds ----------------------------------------------


def _own_files(docs: Path) -> list[str]:
    """The files of the user's docs folder (dot-files and dot-folders left out), by path."""
    return sorted(
        p.relative_to(docs).as_posix()
        for p in docs.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(docs).parts)
    )


def write_file(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def write_docs(docs: Path, project: Project, site: Site, end: str) -> list[str]:
    """The docs folder Zensical reads; the Markdown pages in it, by path. Every page ends with
    the `end` comment, so the page's content can be told from the theme's parts after it."""
    own = _own_files(project.docs_dir)
    clash = sorted(set(own) & (site.pages.keys() | site.files.keys()))
    if clash:
        raise CertfolioError(f"'{clash[0]}' is generated by certfolio; remove it from docs_dir")
    for rel in own:
        write_file(docs / rel, (project.docs_dir / rel).read_bytes())
    if STYLESHEET not in own:  # a docs_dir copy overrides ours
        write_file(docs / STYLESHEET, packaged("assets").joinpath("certfolio.css").read_bytes())
    for rel, text in site.pages.items():
        write_file(docs / rel, text.encode("utf-8"))
    for rel, content in site.files.items():
        placeholder = rel in site.verbatim and is_page(rel)
        write_file(docs / rel, _PLACEHOLDER.encode() if placeholder else content)
    pages = sorted({*site.pages, *(p for p in own if p.endswith(".md"))})
    for rel in pages:
        with open(docs / rel, "a", encoding="utf-8") as page:
            page.write(f"\n\n{end}\n")
    return pages


def is_page(rel: str) -> bool:
    """Whether Zensical renders the file at `rel` into a page."""
    return rel.endswith(".md")


def write_config(work: Path, project: Project, site: Site, own_pages: list[str]) -> Path:
    """The theme overrides and the configuration in `work`, beside its `docs` folder; Zensical
    builds into `work/site`. Returns the configuration's path."""
    settings = dict(project.settings)
    settings.update(docs_dir="docs", site_dir="site")
    settings.pop("watch", None)  # paths of the user's project; a build watches nothing
    theme = settings["theme"] = dict(settings["theme"])
    theme.update(language=site.language, font=False, custom_dir="overrides")
    if not settings.get("nav"):
        settings["nav"] = navigation(site, Labels(site.language), own_pages)
    # never a mike deployment: no version selector asking for a versions.json (main.html)
    settings["extra"] = {**(settings.get("extra") or {}), "deployed_version": None}
    extra_css = list(settings.get("extra_css") or [])
    settings["extra_css"] = extra_css if STYLESHEET in extra_css else [*extra_css, STYLESHEET]
    overrides = work / "overrides"
    overrides.mkdir()
    for folder in (packaged("overrides"), project.custom_dir):  # the user's win file by file
        if folder is not None and folder.is_dir():
            shutil.copytree(folder, overrides, dirs_exist_ok=True)
    config = work / "mkdocs.yml"
    text = yaml.dump(settings, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
    config.write_text(text, "utf-8")
    return config
