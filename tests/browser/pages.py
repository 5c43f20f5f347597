"""The demo's main pages, by name, and the marks every browser test carries."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.conf import settings

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.browser.demo_site import DemoSite

# Every browser test: `pytest -m browser` runs them alone. The demo they
# look at is a SQLite site of its own whatever the suite's engine, so the
# PostgreSQL pass of `make test` skips them, saying so, as it skips the
# other tests that run their own SQLite site (tests/pagecache).
MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        "sqlite" not in settings.DATABASES["default"]["ENGINE"],
        reason="runs its own SQLite site; covered by the suite's SQLite pass",
    ),
]

PAGES: dict[str, Callable[[DemoSite], str]] = {
    "home": lambda demo: "/",
    "article": lambda demo: demo.article,
    "section": lambda demo: demo.section,
    "news": lambda demo: "/news/",
    "search": lambda demo: "/search/?q=election",
    "gallery": lambda demo: demo.gallery,
    "topics": lambda demo: "/topics/",
    "persons": lambda demo: "/persons/",
    "rates": lambda demo: "/rates/",
    "cities": lambda demo: "/cities/",
}
