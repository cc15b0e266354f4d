"""The JSON Schemas of the evidence format, and schema errors as positioned diagnostics.

The schemas ship inside the package (`generator/schemas/<kind>.schema.json`, JSON Schema
draft-07 so YAML editors understand them) and are printed by `certfolio schema KIND`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError

from generator.diagnostics import Report, suggest
from generator.portfolio.yamlparse import Document

KINDS = ("portfolio", "requirement", "evidence", "metric", "finding", "reviews", "requests")

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "empty",
}


def schema_text(kind: str) -> str:
    return resources.files("generator").joinpath(f"schemas/{kind}.schema.json").read_text("utf-8")


@cache
def schema(kind: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_text(kind))
    return loaded


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    """Replace local `$ref`s by the definitions they name; lookups dominate validation time."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/definitions/"):
            return _inline(definitions[ref.removeprefix("#/definitions/")], definitions)
        return {
            key: _inline(value, definitions) for key, value in node.items() if key != "definitions"
        }
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    return node


@cache
def _validator(kind: str) -> Draft7Validator:
    full = schema(kind)
    return Draft7Validator(_inline(full, full.get("definitions", {})))


@cache
def _fast_validator(kind: str) -> Callable[[Any], Any]:
    """A compiled validator for the common case, a valid file (about 10x faster)."""
    return fastjsonschema.compile(schema(kind))


def field_name(path: tuple[str | int, ...]) -> str:
    """`targets[1].value` for the path ('targets', 1, 'value')."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "the file"


def describe_value(value: Any) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"number {value}"
    if isinstance(value, str):
        return f"text '{value}'"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _expected(error: ValidationError) -> str:
    types: Any = error.validator_value
    names = [types] if isinstance(types, str) else list(types)
    return " or ".join(_TYPE_NAMES.get(name, name) for name in names)


def _report_error(error: ValidationError, doc: Document, report: Report) -> None:
    path = tuple(error.absolute_path)
    name = field_name(path)
    value: Any = error.instance
    expected_value: Any = error.validator_value
    sub_schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    span = doc.span(path)
    keyword = error.validator
    if keyword == "type":
        hint = None
        raw = doc.raw.get(path)
        if "string" in _expected(error) or expected_value == "string":
            if raw is not None:
                hint = f'quote it: "{raw}"'
        elif expected_value == "boolean" and isinstance(value, str):
            hint = "use true or false"
        report.error(
            span, "E100", f"'{name}' must be {_expected(error)}, got {describe_value(value)}", hint
        )
    elif keyword == "required":
        missing = [f for f in expected_value if f not in (value or {})]
        for field in missing:
            where = f" in '{name}'" if path else ""
            report.error(span, "E101", f"missing required field '{field}'{where}")
    elif keyword == "additionalProperties":
        allowed = sub_schema.get("properties", {})
        for key in sorted(k for k in value if k not in allowed):
            where = f" in '{name}'" if path else ""
            report.error(
                doc.span((*path, key), key=True),
                "E102",
                f"unknown field '{key}'{where}",
                suggest(key, allowed) or f"allowed fields: {', '.join(allowed)}",
            )
    elif keyword == "enum":
        quoted = any(not str(o)[:1].isalnum() for o in expected_value)  # ',', ';', a tab
        options = ", ".join(f"'{o}'" if quoted else str(o) for o in expected_value)
        shown = value if isinstance(value, str) else describe_value(value)
        report.error(
            span,
            "E103",
            f"invalid value '{shown}' for '{name}'; expected one of: {options}",
            suggest(str(value), map(str, expected_value)),
        )
    elif keyword == "pattern":
        expected = sub_schema.get("x-expected", f"text matching {expected_value}")
        report.error(span, "E104", f"'{name}' must be {expected}, got '{value}'")
    elif keyword in ("minItems", "minLength"):
        report.error(span, "E105", f"'{name}' must not be empty")
    elif keyword == "uniqueItems":
        seen: set[str] = set()
        for index, item in enumerate(value):
            text = json.dumps(item, sort_keys=True)
            if text in seen:
                report.error(
                    doc.span((*path, index)),
                    "E105",
                    f"'{name}' lists '{item}' more than once",
                    "remove the repeat",
                )
            seen.add(text)
    elif keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        relation = {
            "minimum": "at least",
            "maximum": "at most",
            "exclusiveMinimum": "more than",
            "exclusiveMaximum": "less than",
        }[keyword]
        report.error(span, "E105", f"'{name}' must be {relation} {expected_value}, got {value}")
    else:  # pragma: no cover - a keyword the schemas do not use yet
        report.error(span, "E105", f"'{name}': {error.message}")


def check_schema(kind: str, doc: Document, report: Report) -> bool:
    """Report every schema problem of one document; True when there were none.

    The compiled validator answers for valid files; jsonschema, which reports every error with
    its path, runs only when that one objects and is the reference when the two disagree.
    """
    try:
        _fast_validator(kind)(doc.data)
        return True
    except fastjsonschema.JsonSchemaException:
        pass
    errors = sorted(
        _validator(kind).iter_errors(doc.data), key=lambda e: [str(p) for p in e.absolute_path]
    )
    seen_required: set[tuple[str | int, ...]] = set()
    for error in errors:
        if error.validator == "required":
            # jsonschema raises one error per missing field; each lists them all
            if tuple(error.absolute_path) in seen_required:
                continue
            seen_required.add(tuple(error.absolute_path))
        _report_error(error, doc, report)
    return not errors
