"""What the page cache's tests share: the cache turned on and emptied, and
one published item in one section."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.factories import SectionFactory, published_article

if TYPE_CHECKING:
    from dateline.content.models import Article, Section


@pytest.fixture
def world() -> Section:
    return SectionFactory(name="World", slug="world")


@pytest.fixture
def story(world: Section) -> Article:
    return published_article(section=world, headline="Harbour talks resume")
