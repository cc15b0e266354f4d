"""Numbers, percents, p-values, dates and months per language, against literal expectations
(CLDR's forms written out by hand, not computed with Babel)."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import subprocess
import sys

import pytest

from generator.site import charts, formats

from .conftest import ROOT

NBSP, THIN = "\u00a0", "\u2009"


@pytest.mark.parametrize(
    ("value", "decimals", "en", "nb", "es"),
    [
        (1234.5, 1, "1,234.5", f"1{NBSP}234,5", "1.234,5"),
        (1234, 0, "1,234", f"1{NBSP}234", "1.234"),
        (1234567.891, 2, "1,234,567.89", f"1{NBSP}234{NBSP}567,89", "1.234.567,89"),
        (0.5, 2, "0.50", "0,50", "0,50"),
        (-1234.567, 2, "-1,234.57", f"-1{NBSP}234,57", "-1.234,57"),
        (2.675, 2, "2.68", "2,68", "2,68"),  # half away from zero on the decimal form
        (0.125, 2, "0.13", "0,13", "0,13"),
        (-0.125, 2, "-0.13", "-0,13", "-0,13"),
        (-0.004, 2, "0.00", "0,00", "0,00"),  # never a negative zero
        (79.96, 1, "80.0", "80,0", "80,0"),
        (12.3456, -1, "12", "12", "12"),  # negative places count as none
        (None, 1, "–", "–", "–"),
        (float("nan"), 1, "–", "–", "–"),
    ],
)
def test_number(value: float | None, decimals: int, en: str, nb: str, es: str) -> None:
    assert [formats.number(value, decimals, lang) for lang in ("en", "nb", "es")] == [en, nb, es]


@pytest.mark.parametrize(
    ("value", "decimals", "en", "nb"),
    [(92.0, 1, "92", "92"), (92.5, 2, "92.5", "92,5"), (1200.0, 2, "1,200", f"1{NBSP}200")],
)
def test_number_trimmed(value: float, decimals: int, en: str, nb: str) -> None:
    assert formats.number(value, decimals, "en", trim=True) == en
    assert formats.number(value, decimals, "nb", trim=True) == nb


@pytest.mark.parametrize(
    ("value", "decimals", "en", "nb", "es"),
    [
        (79.5, 1, "79.5%", f"79,5{NBSP}%", f"79,5{NBSP}%"),
        (98.0, 1, "98.0%", f"98,0{NBSP}%", f"98,0{NBSP}%"),
        (-3.25, 1, "-3.3%", f"-3,3{NBSP}%", f"-3,3{NBSP}%"),
        (100, 0, "100%", f"100{NBSP}%", f"100{NBSP}%"),
        (None, 1, "–", "–", "–"),
    ],
)
def test_percent_points(value: float | None, decimals: int, en: str, nb: str, es: str) -> None:
    shown = [formats.percent_points(value, decimals, lang) for lang in ("en", "nb", "es")]
    assert shown == [en, nb, es]


def test_with_unit() -> None:
    assert formats.with_unit(540, 0, "s", "en") == f"540{NBSP}s"
    assert formats.with_unit(1234.5, 2, "EUR", "es") == f"1.234,50{NBSP}EUR"
    assert formats.with_unit(92.0, 1, "%", "nb", trim=True) == f"92{NBSP}%"
    assert formats.with_unit(92.0, 1, "%", "en") == "92.0%"
    assert formats.with_unit(7.5, 1, "", "nb") == "7,5"
    assert formats.with_unit(None, 1, "s", "en") == "–"


@pytest.mark.parametrize(
    ("value", "decimals", "en", "nb"),
    [
        (0.12, 2, "+0.12", "+0,12"),
        (-0.12, 2, "-0.12", "-0,12"),
        (1234.5, 1, "+1,234.5", f"+1{NBSP}234,5"),
        (0.0, 2, "0.00", "0,00"),
        (-0.001, 2, "0.00", "0,00"),
        (None, 2, "–", "–"),
    ],
)
def test_signed(value: float | None, decimals: int, en: str, nb: str) -> None:
    assert (formats.signed(value, decimals, "en"), formats.signed(value, decimals, "nb")) == (
        en,
        nb,
    )
    assert formats.signed(value, decimals, "es") == nb.replace(NBSP, ".")


@pytest.mark.parametrize(
    ("p", "en", "es"),
    [
        (0.0, "p < 0.001", "p < 0,001"),
        (0.00099, "p < 0.001", "p < 0,001"),
        (0.001, "p = 0.001", "p = 0,001"),
        (0.0014, "p = 0.001", "p = 0,001"),
        (0.0125, "p = 0.013", "p = 0,013"),
        (0.006, "p = 0.006", "p = 0,006"),
        (0.5, "p = 0.500", "p = 0,500"),
        (1.0, "p = 1.000", "p = 1,000"),
        (None, "–", "–"),
    ],
)
def test_p_value_has_one_rule(p: float | None, en: str, es: str) -> None:
    assert formats.p_value(p, "en") == en
    assert formats.p_value(p, "nb") == formats.p_value(p, "es") == es


@pytest.mark.parametrize("language", ["en", "nb", "es"])
def test_dates_are_iso_in_every_language(language: str) -> None:
    assert formats.date(dt.date(2024, 10, 31), language) == "2024-10-31"
    assert formats.date(dt.date(2025, 1, 5), language) == "2025-01-05"


@pytest.mark.parametrize(
    ("period", "short", "en", "nb", "es"),
    [
        ("2024-10", True, "Oct 2024", "okt. 2024", "oct 2024"),
        ("2024-05", True, "May 2024", "mai 2024", "may 2024"),
        ("2024-09", True, "Sep 2024", "sep. 2024", "sept 2024"),
        ("2024-10", False, "October 2024", "oktober 2024", "octubre de 2024"),
    ],
)
def test_month(period: str, short: bool, en: str, nb: str, es: str) -> None:
    shown = [formats.month(period, lang, short=short) for lang in ("en", "nb", "es")]
    assert shown == [en, nb, es]


@pytest.mark.parametrize(
    ("first", "last", "en", "nb", "es"),
    [
        (
            "2023-01",
            "2024-12",
            f"Jan 2023{THIN}–{THIN}Dec 2024",
            "jan. 2023–des. 2024",
            f"ene 2023{THIN}–{THIN}dic 2024",
        ),
        ("2024-01", "2024-12", f"Jan{THIN}–{THIN}Dec 2024", "jan.–des. 2024", "ene–dic 2024"),
        ("2024-03", "2024-03", "Mar 2024", "mars 2024", "mar 2024"),
    ],
)
def test_month_range(first: str, last: str, en: str, nb: str, es: str) -> None:
    shown = [formats.month_range(first, last, lang) for lang in ("en", "nb", "es")]
    assert shown == [en, nb, es]


def test_month_name_stands_alone() -> None:
    assert [formats.month_name("2024-09", lang) for lang in ("en", "nb", "es")] == [
        "Sep",
        "sep",
        "sept",
    ]
    assert formats.month_name("2024-03", "nb") == "mar"


@pytest.mark.parametrize("period", ["2024-13", "2024-00", "24-10", "2024-1", "2024-10-01", ""])
def test_a_malformed_month_is_a_bug(period: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        formats.month(period, "en")


def test_an_unknown_language_is_a_bug() -> None:
    with pytest.raises(KeyError):
        formats.number(1.0, 1, "de")
    with pytest.raises(KeyError):
        formats.date(dt.date(2024, 1, 1), "fr")


def test_the_callers_decimal_context_does_not_matter() -> None:
    with decimal.localcontext(decimal.Context(prec=3, rounding=decimal.ROUND_FLOOR)):
        assert formats.number(1234567.891, 2, "en") == "1,234,567.89"
        assert formats.number(2.675, 2, "en") == "2.68"
        assert formats.signed(-0.125, 2, "en") == "-0.13"


def test_the_machines_locale_does_not_matter() -> None:
    script = (
        "import datetime, json\n"
        "from generator.site import formats as f\n"
        "print(json.dumps([f.number(1234.5, 1, 'nb'), f.percent_points(79.5, 1, 'en'),"
        " f.p_value(0.0123, 'es'), f.month('2024-10', 'nb'),"
        " f.date(datetime.date(2024, 10, 31), 'es')]))\n"
    )
    expected = [f"1{NBSP}234,5", "79.5%", "p = 0,012", "okt. 2024", "2024-10-31"]
    for env in ({"LANG": "de_DE.UTF-8", "LC_ALL": "de_DE.UTF-8"}, {"LANGUAGE": "fr", "LANG": "C"}):
        run = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        assert json.loads(run.stdout) == expected


@pytest.mark.parametrize(
    ("text", "nb"),
    [("2024-12", "des. 2024"), ("2024", "2024"), ("2024-12-31", "2024-12-31"), ("Q4", "Q4")],
)
def test_a_comparators_date_is_written_in_the_language(text: str, nb: str) -> None:
    assert charts.when(text, "nb") == nb
