"""Snippets keep text, links and images, and lose everything that can run."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.adverts.sanitize import SNIPPET_TAGS, sanitize_snippet, snippet_for_page

TAGS = [
    "script", "style", "iframe", "object", "embed", "form", "input", "button",
    "svg", "math", "link", "meta", "base", "template", "noscript", "video",
    "a", "img", "p", "span", "strong", "em", "b", "i", "br", "div", "picture",
]  # fmt: skip
URLS = [
    "javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
    "java&#x73;cript:alert(1)", "&#106;avascript:alert(1)", "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>", "data:image/png;base64,AAAA",
    "https://news.example/", "http://news.example/a?b=c", "/newsletter/", "#top",
]  # fmt: skip
ATTRIBUTES = [
    "onclick", "onerror", "onload", "onmouseover", "style", "href", "src",
    "srcset", "formaction", "action", "xlink:href", "target", "class", "id",
    "width", "height", "alt", "title", "loading", "rel",
]  # fmt: skip


@st.composite
def attribute(draw: st.DrawFn) -> str:
    name = draw(
        st.one_of(
            st.sampled_from(ATTRIBUTES),
            st.sampled_from(["onclick", "onerror", "style", "href", "src"]),
            st.from_regex(r"on[a-z]{2,10}", fullmatch=True),
        )
    )
    value = draw(st.one_of(st.sampled_from(URLS), st.text(max_size=12)))
    quote = draw(st.sampled_from(['"', "'", ""]))
    value = value.replace(quote, "") if quote else value.replace(" ", "")
    return f"{name}={quote}{value}{quote}"


@st.composite
def fragment(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 2 or draw(st.integers(0, 3)) == 0:
        return draw(
            st.one_of(
                st.text(max_size=15),
                st.sampled_from(
                    ["<", ">", "&", "<!-- x -->", "</p>", "<p", "alert(1)"]
                ),
            )
        )
    tag = draw(st.one_of(st.sampled_from(sorted(SNIPPET_TAGS)), st.sampled_from(TAGS)))
    attributes = " ".join(draw(st.lists(attribute(), min_size=1, max_size=4)))
    inner = "".join(draw(st.lists(fragment(depth + 1), max_size=3)))
    return f"<{tag} {attributes}>{inner}</{tag}>"


class _Inspector(HTMLParser):
    """Collects what a browser would build from the markup: tags, attributes
    (entities decoded) and comments."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def assert_inert(cleaned: str) -> None:
    inspector = _Inspector()
    inspector.feed(cleaned)
    inspector.close()
    assert not inspector.comments, cleaned
    for tag, attributes in inspector.tags:
        assert tag in SNIPPET_TAGS, cleaned
        for name, value in attributes.items():
            assert not name.startswith("on"), cleaned
            assert name not in {"style", "srcset", "class", "id", "target"}, cleaned
            if name in {"href", "src"}:
                scheme = urlsplit((value or "").strip()).scheme.lower()
                assert scheme in {"", "http", "https"}, cleaned
        if tag == "a":
            assert attributes.get("rel") == "sponsored noopener", cleaned


@settings(max_examples=150, deadline=None)
@given(st.lists(fragment(), max_size=4).map("".join))
def test_no_sanitized_snippet_can_run_script(raw: str) -> None:
    cleaned = sanitize_snippet(raw)
    assert_inert(cleaned)
    assert_inert(snippet_for_page(raw, lazy=True))
    # What is stored is cleaned again when shown; that stays inert too.
    assert_inert(snippet_for_page(cleaned, lazy=False))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            '<p>Our <strong>archive</strong>: <a href="https://archive.example/">'
            "two million photos</a></p>",
            '<p>Our <strong>archive</strong>: <a href="https://archive.example/" '
            'rel="sponsored noopener">two million photos</a></p>',
        ),
        ("<script>document.write('x')</script><p>Text</p>", "<p>Text</p>"),
        ('<p style="color:red" onclick="x()">Text</p>', "<p>Text</p>"),
        (
            '<a href="javascript:alert(1)" target="_blank">x</a>',
            '<a rel="sponsored noopener">x</a>',
        ),
        ('<img src="data:image/png;base64,AAAA" alt="x">', '<img alt="x">'),
        ('<iframe src="https://ads.example/"></iframe><form><input></form>', ""),
        (
            '<img src="https://a.example/i.png" width="300" height="9e9" alt="A">',
            '<img src="https://a.example/i.png" width="300" alt="A">',
        ),
    ],
)
def test_snippet_examples(raw: str, expected: str) -> None:
    assert sanitize_snippet(raw) == expected


def test_snippet_images_load_lazily_except_in_the_header() -> None:
    raw = '<img src="https://a.example/i.png" alt="A" loading="eager">'
    assert 'loading="lazy"' in snippet_for_page(raw, lazy=True)
    assert "loading" not in snippet_for_page(raw, lazy=False)
