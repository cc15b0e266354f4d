"""Imports point one way: a module imports only modules listed before it here."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "generator"

LAYERS = [
    "diagnostics",
    "source",
    "yamlparse",
    "csvparse",
    "schema",
    "model",
    "attachments",
    "load",
    "records",
    "series",
    "validate",
    "stats",
    "metrics",
    "assess",
    "lint",
    "export",
    "summary",
    "i18n",
    "escape",
    "charts",
    "draw",
    "render",
    "build",
    "plugin",
    "cli",
    "__main__",
]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("generator"):
            parts = node.module.split(".")
            if len(parts) > 1:
                found.add(parts[1])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(
                a.name.split(".")[1] for a in node.names if a.name.startswith("generator.")
            )
    return found - {"__init__"}


def test_every_module_has_a_layer() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert modules <= set(LAYERS), modules - set(LAYERS)


def test_imports_point_down() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        if path.stem == "__init__":
            continue
        rank = LAYERS.index(path.stem)
        for imported in _imports(path):
            if imported == "__version__":
                continue
            assert imported in LAYERS, (path.name, imported)
            assert LAYERS.index(imported) < rank, f"{path.name} imports {imported}"


def test_only_the_plugin_imports_mkdocs() -> None:
    for path in PACKAGE.glob("*.py"):
        text = path.read_text("utf-8")
        if path.stem != "plugin":
            assert "import mkdocs" not in text and "from mkdocs" not in text, path.name


def test_nothing_imports_the_cli() -> None:
    for path in PACKAGE.glob("*.py"):
        if path.stem not in ("cli", "__main__"):
            assert "cli" not in _imports(path), path.name
