"""A metric's `definitions`: how a scope measures the metric when it differs from `formula`.

Each entry names one of the metric's scopes (E512 otherwise, as for targets) and gives the
numerator, denominator or definition that scope uses, with a note on why; a scope is defined
at most once (E105). Comparisons between scopes (`assess.vendors`) flag a metric whose scopes
are measured by different formulas.
"""

from __future__ import annotations

from generator import model as m
from generator.portfolio.records import Fields
from generator.portfolio.targets import Scopes

FORMULA_KEYS = ("numerator", "denominator", "definition")


def read_definitions(f: Fields, scopes: Scopes) -> tuple[m.Definition, ...]:
    """The metric's `definitions`, each checked against its scopes."""
    found: dict[str, int] = {}
    out = []
    for i, raw in enumerate(f.get("definitions") or []):
        scope = scopes.read("definitions", i)
        if scope is None:
            continue
        if scope in found:
            f.report.error(
                f.span("definitions", i, "scope"),
                "E105",
                f"'definitions[{i}].scope' names {scope}, which 'definitions[{found[scope]}]' "
                "already defines",
                "give each scope one entry",
            )
            continue
        found[scope] = i
        formula = tuple(sorted((k, raw[k]) for k in FORMULA_KEYS if raw.get(k) is not None))
        out.append(m.Definition(scope, formula, raw.get("note"), f.span("definitions", i)))
    return tuple(out)
