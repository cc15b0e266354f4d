"""User text through the real Markdown configuration: shown as typed, never live."""

from __future__ import annotations

from html.parser import HTMLParser

import markdown
import pytest
from mkdocs.utils.yaml import yaml_load

from generator.site.escape import MARKDOWN_CHARS, md_block, md_cell, md_inline

from .conftest import ROOT

HOSTILE = [
    "<script>alert('x')</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[d](data:text/html;base64,PHNjcmlwdD4=)",
    "<javascript:alert('autolink')>",
    "[a](https://x.test){ onclick=alert(1) }",
    "Title { onmouseover=alert(1) }",
    "a | b | c",
    "**bold** _it_ `code` ~~del~~",
    '![i](x "t")',
    "\\* not a list, &lt; stays, &amp; too",
    "# not a heading",
    "1. not a list",
    "- not a list",
    "> not a quote",
    '--8<-- ".env"',
    "{{ 7*7 }} {% include 'x' %} {{ cycler.__init__.__globals__ }}",
    '<!-- comment --> <div markdown="1">*x*</div>',
    "[^1] footnote [ref][id]",
    "quotes \" and ' and `ticks`",
    "tabs\tand    spaces",
]


def _extensions() -> list[str]:
    config = yaml_load((ROOT / "mkdocs.yml").read_text("utf-8"))  # MkDocs' tags (!ENV) too
    return [e if isinstance(e, str) else next(iter(e)) for e in config["markdown_extensions"]]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.cells: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "td":
            self._cell = []
        if tag == "br":
            self.text.append("\n")
            if self._cell is not None:
                self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def render(source: str) -> _Page:
    page = _Page()
    page.feed(markdown.markdown(source, extensions=_extensions()))
    return page


def test_escape_set_is_what_markdown_escapes() -> None:
    md = markdown.Markdown(extensions=_extensions())
    assert set(md.ESCAPED_CHARS) - {">"} <= MARKDOWN_CHARS <= set(md.ESCAPED_CHARS)


@pytest.mark.parametrize("text", HOSTILE)
def test_inline_text_is_shown_as_typed(text: str) -> None:
    page = render(f"Label: {md_inline(text)}")
    assert [t for t, _ in page.tags] == ["p"]
    assert "".join(page.text) == "Label: " + text.replace("\t", " ")


@pytest.mark.parametrize("text", HOSTILE)
def test_table_cell_stays_one_cell(text: str) -> None:
    page = render(f"| a | b |\n|---|---|\n| {md_cell(text)} | end |\n")
    assert page.cells == [text.replace("\t", " "), "end"]
    assert not {t for t, _ in page.tags} - {"table", "thead", "tbody", "tr", "th", "td"}


def test_line_breaks_stay_inside_the_cell_or_paragraph() -> None:
    cell = md_cell("one\n\n- two")
    page = render(f"| a |\n|---|\n| {cell} |\n")
    assert page.cells == ["one\n\n- two"]
    block = render(md_block("first **para**\nsame para\n\n# second"))
    assert [t for t, _ in block.tags] == ["p", "br", "p"]
    assert "".join(block.text) == "first **para**\nsame para\n# second"


def test_nothing_active_survives() -> None:
    page = render("\n\n".join(md_inline(t) for t in HOSTILE))
    for tag, attrs in page.tags:
        assert tag in ("p",), tag
        assert not attrs
