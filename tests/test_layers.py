"""The package's wings import one way, and the checker that says so catches every kind of break.

Every module under `generator/` belongs to a wing: a stage package (`portfolio`, `assess`,
`site`, `engines`, `review`) or a ground-floor or top module (`diagnostics`, `errors`, `model`,
`cli`, `__main__`). `ALLOWED` is the whole table of wing → wing imports. The checker reads the
source with `ast`, so it sees relative imports, imports inside functions, and
`importlib.import_module` / `__import__` calls with literal names; a computed name is a break
of its own, because nothing could check it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "generator"

GROUND = {"diagnostics", "errors", "model"}
ALLOWED: dict[str, set[str]] = {
    "package": set(),  # generator/__init__.py: the version, nothing else
    "diagnostics": set(),
    "errors": set(),
    "heap": set(),
    "jsontext": set(),
    "model": {"diagnostics"},
    "portfolio": GROUND,
    "assess": GROUND | {"jsontext"},
    "site": GROUND | {"heap", "jsontext", "portfolio", "assess", "review"},  # suspect links too
    "review": GROUND | {"portfolio", "assess"},
    "scaffold": GROUND | {"portfolio"},
    "engines": GROUND | {"heap", "portfolio", "assess", "site", "review"},
    "cli": GROUND | {"heap", "portfolio", "assess", "site", "review", "engines", "scaffold"},
    "__main__": {"cli"},
}
#: Third-party packages only some wings may import: the site engines stay behind adapters.
EXTERNAL: dict[str, set[str]] = {
    "mkdocs": {"engines"},
    "material": {"engines"},
    "mike": {"engines"},
    "zensical": {"engines"},
}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module, dotted and absolute
    line: int


def module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def wing(module: str) -> str | None:
    """The wing a dotted module name belongs to, or None when it fits none."""
    parts = module.split(".")
    if parts == ["generator"]:
        return "package"
    if len(parts) >= 2 and parts[1] in ALLOWED and parts[1] != "package":
        return parts[1]
    return None


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def imports_of(root: Path, path: Path) -> tuple[list[Import], list[str]]:
    """Every import a module makes, anywhere in it, and the problems no table can judge."""
    module = module_name(root, path)
    package = module if _is_package(path) else module.rpartition(".")[0]
    found: list[Import] = []
    problems: list[str] = []

    def add(target: str, line: int) -> None:
        found.append(Import(module, target, line))

    def absolute(level: int, name: str | None) -> str:
        base = package.split(".")
        if level > 1:
            base = base[: len(base) - (level - 1)]
        return ".".join([*base, name] if name else base)

    tree = ast.parse(path.read_text("utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            target = absolute(node.level, node.module) if node.level else (node.module or "")
            add(target, node.lineno)
            for alias in node.names:  # `from generator import cli` imports generator.cli
                candidate = f"{target}.{alias.name}"
                if _names_module(root, candidate):
                    add(candidate, node.lineno)
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                name = first.value
                if name.startswith("."):
                    anchor = next((k.value for k in node.keywords if k.arg == "package"), None)
                    anchor_text = anchor.value if isinstance(anchor, ast.Constant) else package
                    dots = len(name) - len(name.lstrip("."))
                    base = str(anchor_text).split(".")
                    base = base[: len(base) - (dots - 1)] if dots > 1 else base
                    name = ".".join([*base, name.lstrip(".")])
                add(name, node.lineno)
            else:
                problems.append(f"{module}:{node.lineno}: import with a computed name")
    return found, problems


def _is_dynamic_import(func: ast.expr) -> bool:
    names = {"import_module", "__import__"}
    if isinstance(func, ast.Name):
        return func.id in names
    return isinstance(func, ast.Attribute) and func.attr in names


def _names_module(root: Path, dotted: str) -> bool:
    parts = dotted.split(".")
    if parts[0] != root.name:
        return False
    path = root.parent.joinpath(*parts)
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _owner(root: Path, target: str) -> str:
    """The generator module a dotted import lands in (its longest existing prefix)."""
    parts = target.split(".")
    while len(parts) > 1 and not _names_module(root, ".".join(parts)):
        parts.pop()
    return ".".join(parts)


def violations(root: Path) -> list[str]:
    """Every break of the layering in the package at `root`; empty when it is sound."""
    problems: list[str] = []
    edges: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        module = module_name(root, path)
        source_wing = wing(module)
        if source_wing is None:
            problems.append(f"{module}: belongs to no wing (move it into one, or add a wing)")
            continue
        found, unjudged = imports_of(root, path)
        problems += unjudged
        for imp in found:
            top = imp.target.split(".")[0]
            if top == root.name:
                owner = _owner(root, imp.target)
                target_wing = wing(owner)
                if owner != module:
                    edges.setdefault(module, set()).add(owner)
                if target_wing is None or target_wing == source_wing:
                    continue
                if target_wing == "package" or target_wing in ALLOWED[source_wing]:
                    continue
                problems.append(f"{module}:{imp.line}: {source_wing} may not import {owner}")
            elif top in EXTERNAL and source_wing not in EXTERNAL[top]:
                problems.append(f"{module}:{imp.line}: {source_wing} may not import {top}")
    problems += _cycles(edges)
    return problems


def _cycles(edges: dict[str, set[str]]) -> list[str]:
    """Import cycles between modules (a package's __init__ importing its own modules is fine)."""
    found: list[str] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt.startswith(node + "."):  # a package importing its own module
                continue
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                found.append("import cycle: " + " -> ".join(cycle))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


# --- the real package ---------------------------------------------------------------------


def test_the_package_keeps_its_layers() -> None:
    assert violations(PACKAGE) == []


def test_every_wing_is_a_package_with_a_docstring() -> None:
    for name in ("portfolio", "assess", "site", "engines"):
        init = PACKAGE / name / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text("utf-8"))), init


def test_the_wings_hold_the_stages() -> None:
    expected = {
        "portfolio": {"source", "yamlparse", "csvparse", "schema", "records", "validate"},
        "assess": {"stats", "metrics", "status", "lint", "export", "summary"},
        "site": {"charts", "draw", "render", "paging", "escape", "i18n", "build"},
        "engines": {"mkdocs"},
    }
    for name, modules in expected.items():
        present = {p.stem for p in (PACKAGE / name).glob("*.py")}
        assert modules <= present, (name, modules - present)
    top = {p.stem for p in PACKAGE.glob("*.py")}
    assert top == {"__init__", "__main__", "diagnostics", "errors", "heap", "jsontext"}
    assert {p.stem for p in (PACKAGE / "model").glob("*.py")} == {"__init__", "config"}
    assert (PACKAGE / "cli" / "__init__.py").is_file()  # the command line, on top


def test_importing_the_site_wing_does_not_import_mkdocs() -> None:
    script = (
        "import sys, generator.site, generator.site.build, generator.site.draw\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('mkdocs', 'material'))\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_no_module_is_over_450_lines() -> None:
    for path in PACKAGE.rglob("*.py"):
        lines = path.read_text("utf-8").count("\n")
        assert lines <= 450, (path.relative_to(ROOT), lines)


# --- the checker catches each kind of break -------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "generator"
    base = {
        "__init__.py": '"""x"""\n__version__ = "0"\n',
        "diagnostics.py": "",
        "errors.py": "",
        "model.py": "from generator.diagnostics import x\n",
        "cli.py": "import generator.engines.mkdocs\n",
        "__main__.py": "from generator.cli import main\n",
        "portfolio/__init__.py": "",
        "portfolio/load.py": "from generator import model\n",
        "portfolio/validate.py": "from .load import x\nfrom generator.errors import E\n",
        "assess/__init__.py": "",
        "assess/stats.py": "import numpy\n",
        "site/__init__.py": "",
        "site/build.py": "from generator.portfolio.validate import v\nfrom ..assess import stats\n",
        "engines/__init__.py": "",
        "engines/mkdocs.py": "import mkdocs.plugins\nfrom generator.site.build import b\n",
    }
    for rel, text in {**base, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root


def test_the_checker_passes_a_sound_tree(tmp_path: Path) -> None:
    assert violations(_tree(tmp_path, {})) == []


BREAKS = {
    "relative import across a forbidden edge": (
        {"portfolio/load.py": "from ..assess import stats\n"},
        "generator.portfolio.load:1: portfolio may not import generator.assess.stats",
    ),
    "relative import of a sibling wing's package": (
        {"assess/stats.py": "from .. import site\n"},
        "generator.assess.stats:1: assess may not import generator.site",
    ),
    "import_module of the CLI": (
        {"site/build.py": 'import importlib\nimportlib.import_module("generator.cli")\n'},
        "generator.site.build:2: site may not import generator.cli",
    ),
    "relative import_module": (
        {
            "portfolio/load.py": "from importlib import import_module\n"
            'import_module("..site.build", package="generator.portfolio")\n'
        },
        "generator.portfolio.load:2: portfolio may not import generator.site.build",
    ),
    "__import__ of an engine": (
        {"assess/stats.py": '__import__("generator.engines.mkdocs")\n'},
        "generator.assess.stats:1: assess may not import generator.engines.mkdocs",
    ),
    "a computed import name": (
        {
            "site/build.py": 'import importlib\nname = "generator.cli"\n'
            "importlib.import_module(name)\n"
        },
        "generator.site.build:3: import with a computed name",
    ),
    "an import inside a function": (
        {"portfolio/load.py": "def f():\n    from generator.site.build import b\n"},
        "generator.portfolio.load:2: portfolio may not import generator.site.build",
    ),
    "MkDocs imported with odd spacing": (
        {"site/build.py": "import  mkdocs\n"},
        "generator.site.build:1: site may not import mkdocs",
    ),
    "assess importing a loader": (
        {"assess/stats.py": "from generator.portfolio.load import find_files\n"},
        "generator.assess.stats:1: assess may not import generator.portfolio.load",
    ),
    "from generator import cli": (
        {"engines/mkdocs.py": "from generator import cli\n"},
        "generator.engines.mkdocs:1: engines may not import generator.cli",
    ),
    "a subpackage inside a wing": (
        {"assess/deep/__init__.py": "", "assess/deep/x.py": "import generator.site.build\n"},
        "generator.assess.deep.x:1: assess may not import generator.site.build",
    ),
    "a module in no wing": (
        {"stray.py": ""},
        "generator.stray: belongs to no wing (move it into one, or add a wing)",
    ),
    "an import cycle inside a wing": (
        {"portfolio/load.py": "from generator.portfolio import validate\n"},
        "import cycle: generator.portfolio.validate -> generator.portfolio.load -> "
        "generator.portfolio.validate",
    ),
}


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_the_checker_reports_each_kind_of_break(tmp_path: Path, case: str) -> None:
    files, expected = BREAKS[case]
    assert expected in violations(_tree(tmp_path, files))


def test_the_documented_table_is_the_enforced_table() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    documented: dict[str, set[str]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`") and cells[0] != "`wing`":
            allowed = cells[2]
            names = set() if allowed == "nothing" else {a.strip() for a in allowed.split(",")}
            documented[cells[0].strip("`")] = names
    enforced = {k: v for k, v in ALLOWED.items() if k not in ("package", "__main__")}
    assert documented == enforced
