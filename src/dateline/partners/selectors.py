"""The two link blocks as pages show them, kept in the cache for a minute."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from dateline.core.blockcache import cached_block, forget_block
from dateline.partners.models import Block, PartnerLink

logger = logging.getLogger(__name__)

# Links shown per block.
PER_BLOCK = 6
# Rows read per block, so that a story two feeds both carry still leaves
# PER_BLOCK different links.
READ_PER_BLOCK = PER_BLOCK * 2
# Blocks in page order.
BLOCKS = (Block.OTHER_MEDIA, Block.PARTNER_NEWS)
FRESH_SECONDS = 60
CACHE_KEY = "partners:blocks"
# What an unavailable shared cache (Redis) raises through Django's cache API.


@dataclass(frozen=True)
class ShownLink:
    title: str
    url: str
    outlet: str
    is_sponsored: bool

    @property
    def rel(self) -> str:
        # Google asks for paid placements to be marked "sponsored"; the rest
        # are outside sites the newsroom chose, followed as usual.
        return "sponsored noopener" if self.is_sponsored else "external noopener"


@dataclass(frozen=True)
class LinkBlock:
    slug: str
    heading: str
    links: list[ShownLink]


def link_blocks() -> list[LinkBlock]:
    """The non-empty blocks, in page order, from one query.

    In each block pinned links come first by position, then the newest.
    """
    rows = (
        PartnerLink.objects.shown()
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("block")],
                order_by=[
                    F("position").asc(nulls_last=True),
                    F("published_at").desc(),
                    F("id").desc(),
                ],
            )
        )
        .filter(rank__lte=READ_PER_BLOCK)
        .order_by("block", "rank")
        .values_list("block", "title", "url", "outlet", "is_sponsored")
    )
    by_block: dict[str, list[ShownLink]] = {block: [] for block in BLOCKS}
    seen: set[tuple[str, str]] = set()
    for block, title, url, outlet, is_sponsored in rows:
        links = by_block[block]
        if len(links) >= PER_BLOCK or (block, url) in seen:
            continue
        seen.add((block, url))
        links.append(ShownLink(title, url, outlet, is_sponsored))
    return [
        LinkBlock(slug=block.value, heading=str(block.label), links=by_block[block])
        for block in BLOCKS
        if by_block[block]
    ]


def link_blocks_widget() -> list[LinkBlock]:
    """The blocks for a page: from the cache, else one query (then cached)."""
    return cached_block(
        CACHE_KEY, link_blocks, seconds=FRESH_SECONDS, label="Partner links"
    )


def forget_blocks() -> None:
    """Drop the cached blocks: a link or feed changed."""
    forget_block(CACHE_KEY, label="Partner links")
