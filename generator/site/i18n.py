"""Labels of generated pages and charts in English, Norwegian Bokmål and Spanish.

The tables are data: `labels/<language>.json` beside this module, one file per language with
`labels` (page and chart words, by key) and `words` (status, state and kind names, by their
English value). Each file is read once, on first use. `portfolio.yaml`'s `language` picks the
table; Material's `theme.language` is set to the same code so the theme's own words match.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from generator.assess.messages import ENGLISH

LANGUAGES = ("en", "nb", "es")


@cache
def _document(language: str) -> dict[str, Any]:
    """One language's label file, read from the package once."""
    if language not in LANGUAGES:
        raise KeyError(language)
    text = resources.files(__package__).joinpath(f"labels/{language}.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def _table(language: str) -> tuple[dict[str, str], dict[str, str]]:
    """The label and word tables of one language."""
    document = _document(language)
    return dict(document["labels"]), dict(document["words"])


@cache
def messages(language: str) -> Mapping[str, str]:
    """The language's sentence for every assessment message code (English: the assessment's
    own table, so the JSON document and the English site say the same). Built once per
    language: every reason on every page is rendered through it."""
    if language == "en":
        return {code.value: text for code, text in ENGLISH.items()}
    return dict(_document(language).get("messages", {}))


class Labels:
    """Labels for one language; a missing key is a bug and raises KeyError."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._labels, self._words = _table(language)

    def __getitem__(self, key: str) -> str:
        return self._labels[key]

    def word(self, value: str) -> str:
        """A status, state or kind name in this language (unknown values pass through)."""
        return self._words.get(value, value)


def missing_keys() -> dict[str, set[str]]:
    """Keys some language lacks compared with English (kept empty by a test)."""
    english, english_words = _table("en")
    gaps = {}
    for language in LANGUAGES:
        labels, words = _table(language)
        lacking = (set(english) - set(labels)) | {
            f"word:{w}" for w in set(english_words) - set(words)
        }
        if lacking:
            gaps[language] = lacking
    return gaps
