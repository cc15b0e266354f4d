"""Every word an auditor reads on a Norwegian or Spanish site is in that language.

The sample is built in nb and es. The English phrases to look for are taken from the English
tables themselves (labels, words, and the literal parts of every assessment message), never
listed by hand, and only where the other language says something else. The portfolio's own
text (titles, notes ... the sample is written in English) is removed from the pages first.
Numbers use the language's decimal comma.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from generator.assess.messages import ENGLISH
from generator.site.build import Site, generate_site
from generator.site.i18n import messages

from .conftest import ROOT, SAMPLE

LABELS = ROOT / "generator" / "site" / "labels"
_FIELD = re.compile(r"\{\w+(?::\w+)?\}")


def _sample_in(language: str, tmp: Path) -> Path:
    root = tmp / "evidence"
    shutil.copytree(SAMPLE, root)
    config = root / "portfolio.yaml"
    text = config.read_text("utf-8")
    config.write_text(re.sub(r"(?m)^language: \w+$", f"language: {language}", text), "utf-8")
    return root


def _user_text(root: Path) -> list[str]:
    """Every string a person typed into the portfolio, longest first."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.add(value.strip())
        elif isinstance(value, dict):
            for key, item in value.items():
                found.add(str(key))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in root.rglob("*.yaml"):
        walk(yaml.safe_load(path.read_text("utf-8")))
    for path in root.rglob("*.csv"):
        for line in path.read_text("utf-8").splitlines():
            found.update(cell.strip() for cell in line.split(","))
    lines = {line.strip() for text in found for line in text.splitlines()}
    flat = {" ".join(t.split()) for t in found | lines}
    return sorted({t for t in flat if len(t) > 1}, key=len, reverse=True)


def _english_phrases(language: str) -> set[str]:
    """English label, word and message phrases that the language translates differently."""
    english = json.loads((LABELS / "en.json").read_text("utf-8"))
    other = json.loads((LABELS / f"{language}.json").read_text("utf-8"))
    phrases = set()
    for table in ("labels", "words"):
        for key, text in english[table].items():
            if other[table].get(key) != text and len(text) > 3:
                phrases.add(text)
    translated = messages(language)
    for code, template in ENGLISH.items():
        for fragment in _FIELD.split(template):
            words = fragment.strip(" ;:,.()?'")
            if len(words.split()) >= 2 and words not in translated[code.value]:
                phrases.add(words)
    return phrases


def _visible(text: str) -> str:
    """Page text as a reader sees it: entities decoded, Markdown escapes and markup gone."""
    text = html.unescape(text)
    text = re.sub(r"\\(.)", r"\1", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(text.split())  # charts wrap long text over lines


def _without(page: str, user: str) -> str:
    """`page` with every occurrence of the user's text removed, including one a chart cut
    short with an ellipsis."""
    page = page.replace(user, " ")
    if len(user) < 20:
        return page
    start = page.find(user[:20])
    while start >= 0:
        end = start
        while end - start < len(user) and end < len(page) and page[end] == user[end - start]:
            end += 1
        if page[end : end + 1] == "…":
            page = page[:start] + " " + page[end + 1 :]
        start = page.find(user[:20], start + 1)
    return page


@pytest.fixture(scope="module", params=["nb", "es"])
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Site, Path]:
    language = request.param
    root = _sample_in(language, tmp_path_factory.mktemp(language))
    site, report = generate_site(root, cache_dir=root.parent / "cache", workers=1)
    assert site is not None, report.diagnostics
    return language, site, root


def test_no_english_phrase_on_any_page(built: tuple[str, Site, Path]) -> None:
    language, site, root = built
    phrases = _english_phrases(language)
    assert len(phrases) > 100  # the tables really were read
    typed = _user_text(root)
    found: dict[str, list[str]] = {}
    texts = dict(site.pages)
    texts |= {p: c.decode("utf-8") for p, c in site.files.items() if p.endswith(".svg")}
    for path, text in texts.items():
        page = _visible(text)
        for user in typed:
            page = _without(page, user)
        for phrase in phrases:
            if re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", page):
                found.setdefault(phrase, []).append(path)
    assert found == {}, {k: v[:3] for k, v in sorted(found.items())}


def test_numbers_use_the_decimal_comma(built: tuple[str, Site, Path]) -> None:
    _, site, _ = built
    metric = site.pages["metrics/M01.md"]
    assert re.search(r"\| 2024-12 \| \d+,\d \|", metric), metric[-2000:]
    assert not re.search(r"\| 2024-12 \| \d+\.\d \|", metric)
    assert re.search(r"p [<=] 0,\d{3}", site.pages["metrics/M13.md"])


@pytest.mark.parametrize("language", ["nb", "es"])
def test_every_message_has_a_translation_with_the_same_parameters(language: str) -> None:
    from generator.assess.messages import placeholders

    translated = messages(language)
    for code, template in ENGLISH.items():
        assert code.value in translated, code
        assert placeholders(translated[code.value]) == placeholders(template), code
    assert set(translated) == {code.value for code in ENGLISH}
