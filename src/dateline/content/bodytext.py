"""Article body HTML: sanitizing on save, and splitting into pages and blocks.

The body is stored already sanitized, so the functions that split it for
display may rely on the serializer's regular output (lower-case tags, attribute
values in double quotes) and stay fast enough to run on every page view.
"""

from __future__ import annotations

import re
from html import unescape

import nh3

# What the newsroom's editor can produce, and nothing else.
ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "s", "u", "sub", "sup",
    "a", "ul", "ol", "li", "blockquote",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# The prose editor's extensions, kept in step with ALLOWED_TAGS.
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Underline": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
}

_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)

_VOID_TAGS = frozenset({"br", "hr"})
_TAG = re.compile(r'<(/?)([a-z][a-z0-9]*)(?:\s+[^\s=>/]+(?:="[^"]*")?)*\s*/?>')


def sanitize_body(html: str) -> str:
    """Keep the markup the editor can make; drop scripts, handlers and bad URLs."""
    cleaned: str = _CLEANER.clean(html or "")
    cleaned = cleaned.strip()
    # The editor's empty document is one empty paragraph.
    return "" if cleaned in {"<p></p>", "<p><br></p>"} else cleaned


def top_level_blocks(html: str) -> list[str]:
    """Split sanitized HTML into its top-level elements (and stray text runs)."""
    blocks: list[str] = []
    depth = 0
    start = 0
    for match in _TAG.finditer(html):
        closing, name = match.group(1), match.group(2)
        if depth == 0:
            text = html[start : match.start()]
            if text.strip():
                blocks.append(text.strip())
            if closing:  # a stray closing tag at the top: skip it
                start = match.end()
                continue
            start = match.start()
            if name in _VOID_TAGS:
                blocks.append(match.group(0))
                start = match.end()
            else:
                depth = 1
        elif name not in _VOID_TAGS:
            depth += -1 if closing else 1
            if depth == 0:
                blocks.append(html[start : match.end()])
                start = match.end()
    rest = html[start:].strip()
    if rest:
        blocks.append(rest)
    return blocks


def split_pages(html: str) -> list[list[str]]:
    """The body's pages: a top-level horizontal rule starts a new page.

    Each page is a list of top-level blocks; empty pages are dropped, and a body
    without content is one empty page.
    """
    pages: list[list[str]] = [[]]
    for block in top_level_blocks(html):
        if block.startswith("<hr"):
            pages.append([])
        else:
            pages[-1].append(block)
    pages = [page for page in pages if page]
    return pages or [[]]


def count_pages(html: str) -> int:
    return len(split_pages(html))


def is_paragraph(block: str) -> bool:
    return block.startswith(("<p>", "<p "))


_ANY_TAG = re.compile(r"<[^>]*>")


def plain_text(html: str) -> str:
    """The body's words without markup: for search, snippets and summaries.

    Every tag becomes a space so that words in adjacent blocks stay apart.
    """
    text = unescape(_ANY_TAG.sub(" ", html or ""))
    return " ".join(text.split())
