"""The hardened YAML reader: YAML 1.1 traps, hostile input, and positions."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.diagnostics import Report
from generator.portfolio.yamlparse import parse_yaml, resolve_plain


def parse(text: str) -> tuple[object, list[str]]:
    report = Report()
    doc = parse_yaml(text, "f.yaml", report)
    return (doc.data if doc else None), [f"{d.span} {d.code}" for d in report.diagnostics]


def test_yaml11_values_stay_text() -> None:
    data, problems = parse(
        "country: NO\nanswer: no\nflag: on\nduration: 1:30\nclock: 12:30:00\nmode: 0777\n"
        "id: 012345\nphone: +447946095800\nday: 2024-02-30\nts: 2024-03-01 10:00:00\n"
        "n: .nan\nbig: 1e999\nhex: 0x1F\nunder: 1_000\n"
    )
    assert problems == []
    assert data == {
        "country": "NO",
        "answer": "no",
        "flag": "on",
        "duration": "1:30",
        "clock": "12:30:00",
        "mode": "0777",
        "id": "012345",
        "phone": "+447946095800",
        "day": "2024-02-30",
        "ts": "2024-03-01 10:00:00",
        "n": ".nan",
        "big": "1e999",
        "hex": "0x1F",
        "under": "1_000",
    }


def test_plain_scalars_resolve_strictly() -> None:
    assert resolve_plain("true") is True
    assert resolve_plain("False") is False
    assert resolve_plain("~") is None
    assert resolve_plain("") is None
    assert resolve_plain("42") == 42
    assert resolve_plain("-3.5") == -3.5
    assert resolve_plain("1.10") == 1.1
    assert resolve_plain("yes") == "yes"


def test_positions_are_one_based_for_keys_and_values() -> None:
    report = Report()
    doc = parse_yaml("a: 1\nb:\n  - x\n  - {c: d}\n", "f.yaml", report)
    assert doc is not None
    assert str(doc.span(("b", 1, "c"))) == "f.yaml:4:9"
    assert str(doc.span(("b", 1, "c"), key=True)) == "f.yaml:4:6"
    assert str(doc.span(("b", 0))) == "f.yaml:3:5"
    assert doc.raw[("a",)] == "1"


def test_billion_laughs_is_refused_fast() -> None:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{k}: &{k} [{','.join(['*' + p] * 9)}]\n"
        for p, k in zip("abcdefgh", "bcdefghi", strict=True)
    )
    data, problems = parse(text)
    assert data is None
    assert problems == ["f.yaml:1:4 E012"]


def test_very_deep_nesting_never_crashes_the_interpreter() -> None:
    """libyaml's composer segfaults near 30,000 levels; ours stops at the cap."""
    script = (
        "from generator.diagnostics import Report\n"
        "from generator.portfolio.yamlparse import parse_yaml\n"
        "r = Report()\n"
        "print(parse_yaml('[' * 50000 + ']' * 50000, 'd.yaml', r), r.diagnostics[0].span)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "None d.yaml:1:65"


@settings(
    max_examples=1000, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    st.lists(
        st.sampled_from(
            [
                *"ab:- \n\t[]{}&*!#'\"|>%@`,?\\0129.~",
                *["2024-02-30", "true", "<<", "---", "\u2028", "\x85", "\\ud800", "\ud800"],
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_any_text_gives_a_value_or_diagnostics_never_an_exception(text: str) -> None:
    report = Report()
    doc = parse_yaml(text, "f.yaml", report)
    assert (doc is None) == (report.errors > 0)
    for diagnostic in report.diagnostics:
        assert diagnostic.span.path == "f.yaml"
