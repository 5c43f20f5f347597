"""Sanitizing on save, and splitting bodies into pages and blocks."""

from __future__ import annotations

import pytest

from dateline.content.bodytext import sanitize_body, split_pages, top_level_blocks
from tests.factories import ArticleFactory


def test_script_tags_and_their_content_are_removed() -> None:
    assert sanitize_body("<p>Hi</p><script>alert(1)</script>") == "<p>Hi</p>"


def test_event_handlers_are_removed() -> None:
    cleaned = sanitize_body(
        '<p onclick="steal()">Hi <a href="https://x.test" onmouseover="x()">x</a></p>'
    )
    assert "onclick" not in cleaned
    assert "onmouseover" not in cleaned
    assert "Hi" in cleaned


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "vbscript:x",
    ],
)
def test_dangerous_link_schemes_are_removed(href: str) -> None:
    cleaned = sanitize_body(f'<p><a href="{href}">click</a></p>')
    assert "href" not in cleaned
    assert "click" in cleaned


def test_styles_iframes_and_images_are_not_kept() -> None:
    cleaned = sanitize_body(
        '<p style="color:red">a</p><iframe src="https://x.test"></iframe>'
        '<img src="x" onerror="alert(1)"><style>p{}</style>'
    )
    assert cleaned == "<p>a</p>"


def test_editor_markup_survives() -> None:
    html = (
        "<h2>Sub</h2><p><strong>b</strong> <em>i</em> "
        '<a href="https://example.org/x" title="t">link</a></p>'
        '<ul><li>one</li></ul><ol start="3"><li>three</li></ol>'
        "<blockquote><p>quote</p></blockquote><hr><p>page two<br>line</p>"
    )
    cleaned = sanitize_body(html)
    for fragment in (
        "<h2>Sub</h2>",
        "<strong>b</strong>",
        "<em>i</em>",
        'href="https://example.org/x"',
        "<ul><li>one</li></ul>",
        '<ol start="3">',
        "<blockquote>",
        "<hr>",
        "<br>",
    ):
        assert fragment in cleaned


def test_links_get_a_safe_rel() -> None:
    assert 'rel="noopener noreferrer"' in sanitize_body(
        '<p><a href="https://x.test">x</a></p>'
    )


def test_empty_editor_document_is_empty() -> None:
    assert sanitize_body("<p></p>") == ""
    assert sanitize_body("") == ""


@pytest.mark.django_db
def test_article_body_is_sanitized_on_save_whatever_the_path() -> None:
    article = ArticleFactory(body='<p onclick="x()">Text</p><script>bad()</script>')
    article.refresh_from_db()
    assert article.body == "<p>Text</p>"


def test_top_level_blocks_keep_nested_markup_together() -> None:
    html = "<p>a <em>b</em></p><blockquote><p>q</p><p>r</p></blockquote><ul><li>x</li></ul><hr><p>z</p>"
    assert top_level_blocks(html) == [
        "<p>a <em>b</em></p>",
        "<blockquote><p>q</p><p>r</p></blockquote>",
        "<ul><li>x</li></ul>",
        "<hr>",
        "<p>z</p>",
    ]


def test_attribute_values_with_angle_brackets_do_not_confuse_the_splitter() -> None:
    html = sanitize_body(
        '<p><a href="https://x.test/?a=1&b=2" title="a > b">x</a></p><p>y</p>'
    )
    assert len(top_level_blocks(html)) == 2


def test_horizontal_rules_split_pages_and_empty_pages_vanish() -> None:
    assert split_pages("<p>1</p><hr><p>2</p><hr><hr><p>3</p><hr>") == [
        ["<p>1</p>"],
        ["<p>2</p>"],
        ["<p>3</p>"],
    ]
    assert split_pages("") == [[]]


def test_a_rule_inside_a_quote_is_not_a_page_break() -> None:
    assert len(split_pages("<p>1</p><blockquote><hr></blockquote><p>2</p>")) == 1


@pytest.mark.django_db
def test_page_count_is_kept_on_the_row() -> None:
    article = ArticleFactory(body="<p>1</p><hr><p>2</p><hr><p>3</p>")
    assert article.page_count == 3
