"""`certfolio init`: a working portfolio repository from the installed package alone.

Everything written comes from files shipped in the package: the chosen standard's skeleton
(`standards/<standard>.yaml`), the record templates (`files/portfolio/*.j2`, worded from
`files/words.json` in the chosen language), the site configuration, `.gitignore`, README, CI
workflows and pre-commit configuration (`files/common/`, stored without their leading dot and
renamed on the way out), and the JSON Schemas editors use. The result validates with no
error: most requirements have no evidence yet, which is what a first `certfolio site` shows.

Nothing is ever overwritten: when any file to be written exists, nothing is written at all.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import yaml

from generator.errors import UsageError
from generator.portfolio.schema import KINDS, schema_text

STANDARDS = ("copc-cx", "iso-18295-1")
LANGUAGES = ("en", "nb", "es")
_COUNTRY = {"en": "GB", "nb": "NO", "es": "ES"}
#: Files stored without their leading dot (package data skips dotfiles), and where they go.
_RENAMED = {
    "gitignore": ".gitignore",
    "gitlab-ci.yml": ".gitlab-ci.yml",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
}


@dataclass(frozen=True)
class Plan:
    """What `init` would write: relative path → text."""

    files: dict[str, str]


def _package() -> Any:
    return resources.files(__package__)


def _standard(name: str) -> dict[str, Any]:
    if name not in STANDARDS:
        raise UsageError(f"unknown standard {name!r}; choose one of {', '.join(STANDARDS)}")
    text = _package().joinpath(f"standards/{name}.yaml").read_text("utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: _package().joinpath(f"files/{name}").read_text("utf-8")
        ),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["q"] = lambda value: json.dumps(str(value), ensure_ascii=False)  # YAML-safe
    return env


def _months_before(as_of: dt.date, count: int) -> list[str]:
    """The `count` complete months before `as_of`, oldest first, as YYYY-MM."""
    year, month = as_of.year, as_of.month
    found = []
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        found.append(f"{year:04d}-{month:02d}")
    return found[::-1]


def plan(language: str, standard_name: str, as_of: dt.date) -> Plan:
    """Every file of a new portfolio repository, rendered."""
    if language not in LANGUAGES:
        raise UsageError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")
    standard = _standard(standard_name)
    words = json.loads(_package().joinpath("files/words.json").read_text("utf-8"))[language]
    env = _environment()
    months = _months_before(as_of, 3)
    categories = standard["categories"]
    requirements = [(c["id"], r) for c in categories for r in c["requirements"]]
    plain = [r["id"] for _, r in requirements if not r.get("results")]
    results = [r["id"] for _, r in requirements if r.get("results")]
    context: dict[str, Any] = {
        "w": words,
        "language": language,
        "standard": standard,
        "slug": f"{standard['id'].replace('-', '')}-PORTFOLIO",
        "as_of": as_of.isoformat(),
        "country": _COUNTRY[language],
        "first_month": months[0],
        "data": list(zip(months, ("82.4", "84.1", "83.0"), strict=True)),
        "ev_date": f"{months[-1]}-28",
        "review_by": f"{as_of.year + 1:04d}-{as_of.month:02d}-01",
        "ev_supports": [plain[-1], results[0]] if results else [plain[-1]],
        "m_supports": results[:1] or plain[:1],
        "raised": f"{months[-1]}-15",
        "f_requirement": plain[-1],
        "action_due": f"{as_of.year + 1:04d}-01-31"
        if as_of.month >= 11
        else f"{as_of.year:04d}-{as_of.month + 2:02d}-01",
    }
    files: dict[str, str] = {}

    def put(path: str, template: str, **extra: Any) -> None:
        files[path] = env.get_template(template).render(**context, **extra)

    put("portfolio/portfolio.yaml", "portfolio/portfolio.yaml.j2")
    for index, (category, requirement) in enumerate(requirements, 1):
        put(
            f"portfolio/requirements/{category}/{requirement['id']}.yaml",
            "portfolio/requirement.yaml.j2",
            r=requirement,
            category=category,
            clause=f"{category}.{index}",
        )
    put("portfolio/evidence/EV-001.yaml", "portfolio/evidence.yaml.j2")
    put("portfolio/metrics/M01.yaml", "portfolio/metric.yaml.j2")
    put("portfolio/metrics/M01.csv", "portfolio/metric.csv.j2")
    put("portfolio/findings/F-01.yaml", "portfolio/finding.yaml.j2")
    put("mkdocs.yml", "common/mkdocs.yml.j2")
    put("README.md", "common/README.md.j2")
    files["docs/.gitkeep"] = ""
    files["portfolio/attachments/.gitkeep"] = ""
    for kind in KINDS:
        files[f"schemas/{kind}.schema.json"] = schema_text(kind)
    common = _package().joinpath("files/common")
    for path in _walk(common):
        rel = path[len("files/common/") :]
        if rel.endswith(".j2"):
            continue
        target = _RENAMED.get(rel, rel)
        if target.startswith("github/"):
            target = "." + target
        files[target] = _package().joinpath(path).read_text("utf-8")
    return Plan(dict(sorted(files.items())))


def _walk(folder: Any, prefix: str = "files/common") -> list[str]:
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.startswith((".", "__")):
            continue
        if entry.is_dir():
            found += _walk(entry, f"{prefix}/{entry.name}")
        else:
            found.append(f"{prefix}/{entry.name}")
    return found


def init(target: Path, language: str, standard: str, as_of: dt.date) -> list[Path]:
    """Write a new portfolio repository into `target`; refuse, writing nothing, when any of
    its files exists already. Returns the files written."""
    files = plan(language, standard, as_of).files
    taken = sorted(rel for rel in files if (target / rel).exists() or (target / rel).is_symlink())
    if taken:
        shown = ", ".join(taken[:5]) + (f" and {len(taken) - 5} more" if len(taken) > 5 else "")
        raise UsageError(
            f"{target} already has {shown}; certfolio init writes nothing over existing files",
            ["run it in an empty folder, or move those files away first"],
        )
    written = []
    for rel, text in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        written.append(path)
    return written
