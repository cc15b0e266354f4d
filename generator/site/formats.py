"""Numbers, percents, p-values, dates and months in the portfolio's language, for pages and charts.

Every function takes the portfolio's language code (`en`, `nb`, `es`: `i18n.LANGUAGES`) and
formats through Babel with that explicit locale, so the result never depends on the machine's
locale, environment variables or the caller's `decimal` context. Rounding is half away from
zero on the number's shortest decimal form (`repr`), as people and spreadsheets round: 2.675
with two decimals is 2.68 everywhere, not the 2.67 of Python's binary `format`. Grouping and
decimal signs are CLDR's as Babel prints them: en `1,234.5`, nb `1 234,5` (no-break space),
es `1.234,5`. A missing value (None or NaN) prints as an en dash, `–`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from functools import cache, lru_cache

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton
from babel.numbers import NumberPattern, parse_pattern

from generator.site.i18n import LANGUAGES

MISSING = "–"
_PERIOD = re.compile(r"(\d{4})-(\d{2})")
_CONTEXT = Context(prec=40, rounding=ROUND_HALF_UP)


@cache
def _locale(language: str) -> Locale:
    """The Babel locale of a portfolio language; an unknown code is a bug (KeyError)."""
    if language not in LANGUAGES:
        raise KeyError(language)
    return Locale.parse(language)


@cache
def _pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


def _rounded(value: float, decimals: int) -> Decimal:
    """`value` rounded half away from zero to `decimals` places, never a negative zero."""
    with localcontext(_CONTEXT):
        exact = Decimal(repr(float(value)))
        rounded = exact.quantize(Decimal(1).scaleb(-max(decimals, 0)))
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _digits(value: Decimal, decimals: int, language: str, plus: bool = False) -> str:
    """Babel's digits for an already rounded value; `plus` writes `+` before positive ones.
    Remembered by the value's exact text: a large site shows the same values thousands of
    times (Babel takes 20 µs each)."""
    return _digits_of(str(value), decimals, language, plus)


@lru_cache(maxsize=1 << 16)
def _digits_of(text: str, decimals: int, language: str, plus: bool) -> str:
    value = Decimal(text)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    if plus:
        pattern = f"+{pattern};-{pattern}"
    with localcontext(_CONTEXT):  # what `babel.numbers.format_decimal` does, pattern parsed once
        shown: str = _pattern(pattern).apply(
            value,
            _locale(language),
            decimal_quantization=True,
            group_separator=True,
            numbering_system="latn",
        )
    return shown


def _shown(value: float, decimals: int, trim: bool) -> tuple[Decimal, int]:
    """`value` rounded for display and its number of places: `decimals`, or with `trim` the
    fewest that still show the rounded value (92.50 → 92.5, 92.0 → 92)."""
    rounded = _rounded(value, decimals)
    if not trim:
        return rounded, max(decimals, 0)
    exponent = rounded.normalize().as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return rounded, places


def number(value: float | None, decimals: int, language: str, *, trim: bool = False) -> str:
    """`value` with exactly `decimals` places and the language's grouping and decimal sign:
    `number(1234.5, 1, ...)` is en `1,234.5`, nb `1 234,5` (U+00A0), es `1.234,5`; None is `–`.
    With `trim`, trailing zeros of the fraction go (`92.0` → `92`, `92.50` → `92.5`), for
    targets and limits a person typed."""
    if value is None or math.isnan(value):
        return MISSING
    return _digits(*_shown(value, decimals, trim), language)


def percent_points(value: float | None, decimals: int, language: str, *, trim: bool = False) -> str:
    """A value already in percent, with the language's percent pattern from CLDR: en `79.5%`
    (no space), nb and es `79,5 %` (a no-break space before the sign); None is `–`."""
    if value is None or math.isnan(value):
        return MISSING
    rounded, places = _shown(value, decimals, trim)
    pattern = _locale(language).percent_formats[None]
    negative = int(rounded < 0)
    shown = _digits(abs(rounded), places, language)
    return f"{pattern.prefix[negative]}{shown}{pattern.suffix[negative]}"


def with_unit(
    value: float | None, decimals: int, unit: str, language: str, *, trim: bool = False
) -> str:
    """A metric value with its unit: `%` through `percent_points`, any other unit after a
    no-break space (`540 s`, `1 234,50 EUR`), no unit the number alone; None is `–`."""
    if unit == "%":
        return percent_points(value, decimals, language, trim=trim)
    shown = number(value, decimals, language, trim=trim)
    return f"{shown}\u00a0{unit}" if unit and shown != MISSING else shown


def signed(value: float | None, decimals: int, language: str) -> str:
    """A change with its sign always shown, for slopes: en `+0.12` / `-0.12`, nb and es `+0,12`
    / `-0,12`; a value that rounds to zero has no sign (`0.00`); None is `–`."""
    if value is None or math.isnan(value):
        return MISSING
    rounded, places = _shown(value, decimals, False)
    return _digits(rounded, places, language, plus=not rounded.is_zero())


def p_value(p: float | None, language: str) -> str:
    """The one rule for printing a p-value, on every page, chart and report: below 0.001 it is
    `p < 0.001`; otherwise `p = ` and the value rounded to three decimals (`p = 0.012`,
    `p = 0.001` for 0.0012, `p = 1.000`), with the language's decimal sign (`p = 0,012` in nb
    and es). None (no test was run) is `–`."""
    if p is None or math.isnan(p):
        return MISSING
    if p < 0.001:
        return f"p < {number(0.001, 3, language)}"
    return f"p = {number(p, 3, language)}"


def date(d: dt.date, language: str) -> str:
    """A calendar date as ISO 8601, `2024-10-31`, in every language.

    Auditors compare the dates on a page with the evidence files, file names, tickets and the
    commit log, all ISO; ISO sorts in tables, cannot be misread across languages (10/11/24 can)
    and is the national form in Norway (NS-ISO 8601) and accepted in Spain (UNE-EN 28601).
    `language` is taken so that callers need not change if a language ever needs another form.
    """
    _locale(language)
    return d.isoformat()


def _period(period: str) -> dt.date:
    found = _PERIOD.fullmatch(period)
    if found is None or not 1 <= int(found[2]) <= 12:
        raise ValueError(f"not a YYYY-MM month: {period!r}")
    return dt.date(int(found[1]), int(found[2]), 1)


def month(period: str, language: str, short: bool = True) -> str:
    """A month (`YYYY-MM`) as words, CLDR's year-month form: short en `Oct 2024`, nb
    `okt. 2024`, es `oct 2024`; long en `October 2024`, nb `oktober 2024`, es
    `octubre de 2024`. A malformed period is a bug (ValueError)."""
    return format_skeleton("yMMM" if short else "yMMMM", _period(period), locale=_locale(language))


def month_range(first: str, last: str, language: str) -> str:
    """Two months (`YYYY-MM`) as a span in CLDR's interval form, the shared year once: en
    `Jan 2023 – Dec 2024` (thin spaces), `Jan – Dec 2024`; nb `jan. 2023–des. 2024`; es
    `ene 2023 – dic 2024`, `ene–dic 2024`; one month alone when both are the same."""
    start, end = _period(first), _period(last)
    return format_interval(start, end, "yMMM", locale=_locale(language))


def month_name(period: str, language: str) -> str:
    """The month of `YYYY-MM` alone, abbreviated as it stands on an axis (CLDR's stand-alone
    form): en `Oct`, nb `okt`, es `oct` (`sept` for September)."""
    return format_date(_period(period), "LLL", locale=_locale(language))
