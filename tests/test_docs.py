"""The docs list every diagnostic code the code can emit, and nothing else."""

from __future__ import annotations

import re

from .conftest import ROOT


def test_every_code_is_documented() -> None:
    emitted = set()
    for path in (ROOT / "generator").rglob("*.py"):
        emitted |= set(re.findall(r'"([EW][0-9]{3})"', path.read_text("utf-8")))
    documented = set(
        re.findall(
            r"^\| ([EW][0-9]{3}) \|",
            (ROOT / "docs" / "diagnostics.md").read_text("utf-8"),
            re.MULTILINE,
        )
    )
    assert emitted == documented


def test_the_format_reference_names_every_field() -> None:
    import json

    text = (ROOT / "docs" / "format.md").read_text("utf-8")
    for path in sorted((ROOT / "generator" / "schemas").glob("*.json")):
        schema = json.loads(path.read_text("utf-8"))
        for field in schema["properties"]:
            assert f"`{field}`" in text, (path.name, field)
