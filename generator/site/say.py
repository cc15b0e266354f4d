"""Assessment messages as sentences in the portfolio's language.

The assessment says everything as a `Message` (a code and parameters, see
`generator.assess.messages`); `say` renders one through the language's sentence table
(`i18n.messages`) with numbers, p-values and dates formatted for that language (`formats`).
The result is plain text: pages still escape it for Markdown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from generator.assess.messages import Message, render
from generator.site import formats
from generator.site.i18n import Labels, messages


def say(message: Message, labels: Labels) -> str:
    """The message in the labels' language."""

    def fmt(kind: str, value: Any, nested: Callable[[Message], str]) -> str:
        return _format(labels, kind, value, nested)

    return render(message, messages(labels.language), fmt)


def _format(labels: Labels, kind: str, value: Any, nested: Callable[[Message], str]) -> str:
    language = labels.language
    if kind == "list":
        items = value if isinstance(value, tuple) else (value,)
        return "; ".join(nested(v) if isinstance(v, Message) else str(v) for v in items)
    if kind in ("ids", "months"):
        return ", ".join(str(v) for v in value)
    if kind == "p":
        return formats.p_value(float(value), language)
    if kind == "alpha":
        return f"p < {formats.number(float(value), 3, language, trim=True)}"
    if kind == "slope":
        return formats.signed(float(value), 2, language)
    if kind == "num":
        return formats.number(float(value), 2, language)
    if kind == "word":
        return labels.word(str(value))
    if kind == "date" and isinstance(value, dt.date):
        return formats.date(value, language)
    return str(value)  # a month (YYYY-MM, as in every table), an ID, a count, user text
