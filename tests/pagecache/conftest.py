"""What the page cache's tests share: the cache turned on and emptied, and
one published item in one section."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.core.cache import caches
from django.test import override_settings

from dateline.pagecache import store
from tests.factories import SectionFactory, published_article

if TYPE_CHECKING:
    from collections.abc import Iterator

    from dateline.content.models import Article, Section


@pytest.fixture
def page_cache() -> Iterator[None]:
    """The page cache on (tests run with it off), empty before and after."""
    with override_settings(DATELINE_PAGE_CACHE=True):
        caches["pages"].clear()
        store.hot_pages.clear()
        yield
        caches["pages"].clear()
        store.hot_pages.clear()


@pytest.fixture
def world() -> Section:
    return SectionFactory(name="World", slug="world")


@pytest.fixture
def story(world: Section) -> Article:
    return published_article(section=world, headline="Harbour talks resume")
