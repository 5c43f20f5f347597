"""Assemble an article page: pages of the body, the dateline, "Read also"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from dateline.content.bodytext import is_paragraph, split_pages
from dateline.content.dateline import dateline_text

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from dateline.content.models import Article

READ_ALSO_AFTER_PARAGRAPH = 2


@dataclass(frozen=True)
class BodyPage:
    number: int
    count: int
    before_read_also: SafeString
    after_read_also: SafeString
    shows_read_also: bool


@dataclass(frozen=True)
class ShareLink:
    label: Promise | str
    url: str


class PageOutOfRangeError(Exception):
    pass


def parse_page_number(raw: str | None, page_count: int) -> int:
    """``?page=`` must be a plain number of an existing page."""
    if raw is None:
        return 1
    if not raw.isascii() or not raw.isdigit() or len(raw) > 4:
        raise PageOutOfRangeError(raw)
    number = int(raw)
    if not 1 <= number <= page_count:
        raise PageOutOfRangeError(raw)
    return number


def body_page(
    article: Article,
    number: int,
    *,
    advert: SafeString | None = None,
    advert_after: int = 0,
) -> BodyPage:
    """One page of the body. Page 1 opens with the dateline and carries
    "Read also" after its second paragraph (or at its end if shorter).
    An advert, if given, follows paragraph ``advert_after`` of every page
    (or ends a shorter page); it comes after "Read also" when both fall on
    the same paragraph."""
    pages = split_pages(article.body)
    blocks = list(pages[number - 1])
    if number > 1:
        if advert:
            blocks.insert(_after_paragraph(blocks, advert_after), advert)
        html = mark_safe("".join(blocks))  # noqa: S308 - stored sanitized
        return BodyPage(number, len(pages), html, mark_safe(""), False)

    split_at = len(blocks)
    seen = 0
    for index, block in enumerate(blocks):
        if is_paragraph(block):
            seen += 1
            if seen == READ_ALSO_AFTER_PARAGRAPH:
                split_at = index + 1
                break

    line = format_html(
        '<span class="dateline">{}</span> ',
        dateline_text(place=article.dateline_place, moment=article.published_at),
    )
    if blocks and blocks[0].startswith("<p>"):
        blocks[0] = f"<p>{line}{blocks[0][3:]}"
    else:  # a body opening with a subheading: the dateline stands alone above it
        blocks.insert(0, f'<p class="dateline-only">{line}</p>')
        split_at += 1

    if advert:
        advert_at = _after_paragraph(blocks, advert_after)
        blocks.insert(advert_at, advert)
        if advert_at < split_at:
            split_at += 1
    before = mark_safe("".join(blocks[:split_at]))  # noqa: S308 - stored sanitized
    after = mark_safe("".join(blocks[split_at:]))  # noqa: S308 - stored sanitized
    return BodyPage(1, len(pages), before, after, True)


def _after_paragraph(blocks: list[str], count: int) -> int:
    """The index just after the ``count``-th paragraph, or the end."""
    seen = 0
    for index, block in enumerate(blocks):
        if is_paragraph(block):
            seen += 1
            if seen == count:
                return index + 1
    return len(blocks)


def share_links(*, url: str, title: str) -> list[ShareLink]:
    """Plain links to the networks' own share pages: no script, no tracking."""
    u, t = quote(url, safe=""), quote(title, safe="")
    return [
        ShareLink("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={u}"),
        ShareLink("X", f"https://x.com/intent/post?url={u}&text={t}"),
        ShareLink("Telegram", f"https://t.me/share/url?url={u}&text={t}"),
        ShareLink("WhatsApp", f"https://wa.me/?text={t}%20{u}"),
        ShareLink(_("Email"), f"mailto:?subject={t}&body={u}"),
    ]
