"""The second line of defence: generated HTML is cleaned with nh3 (ammonia) before it is served.

User text is escaped before it enters a page (`escape`); this allow-list keeps the markup that
Markdown and Material produce and drops scripts, event handlers, styles and unsafe URLs, so a
slip in a template cannot put live markup on a page. Engines call `sanitise` on every page
the generator made.
"""

from __future__ import annotations

import nh3

_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "details",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "input",
    "label",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
_ATTRIBUTES = {
    "*": {"class", "id", "title"},
    "a": {"href", "rel"},
    "img": {"src", "alt"},
    "input": {"type", "name", "id", "checked"},
    "label": {"for"},
    "td": {"style"},
    "th": {"style"},
}


def sanitise(html: str) -> str:
    """Keep the markup Markdown and Material produce; drop scripts, handlers, unsafe URLs."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        generic_attribute_prefixes={"data-"},
        filter_style_properties={"text-align"},
    )
