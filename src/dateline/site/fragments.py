"""Page fragments made once per site generation, not once per page.

The blocks around an article (Most read, the partner links, Photo,
Infographics), the navigation and the footer are the same on every page.
Each is kept as HTML under a key holding the site's *generation* (see
``dateline.pagecache.store``), which changes after commit on any change to
what pages show, including a scheduled item going public. A kept fragment is
therefore never stale: the first page after a change finds no fragment for
the new generation and makes it afresh. A rolled-back change starts no
generation and keeps the fragments.

What changes without a new generation is not keyed on it alone: a fragment
also varies on the values its template names (``{% fragment "most-read",
most_read %}`` varies on the lists, which have their own minute), and what
changes per request (the reader's city and its clock, the adverts with their
start and end times) stays outside fragments.

Each server process also keeps the current generation's fragments in its own
memory, so a page reads none of them from the shared cache: with Redis that
is seven round trips an article page, and even the local-memory cache
unpickles each (about 10 µs). This copy cannot be stale either, as a key
holds its generation; a new generation's first fragment drops the old ones.

When the page cache cannot be reached there is no generation: fragments are
made for each page and nothing is kept. When the default cache fails,
``cached_block`` makes them directly too. A page never fails for a fragment.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from dateline.core.blockcache import cached_block
from dateline.pagecache.store import current_generation

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest

    from dateline.pagecache.store import Generation

# Keys hold the generation, so a fragment is never stale; this only bounds
# how long an unused one takes memory. A busy agency starts a generation every
# few seconds, each with a few dozen fragments of a few KB: short, so that
# Redis holds minutes of them, not hours. Remaking them costs a quiet site
# three or four queries every five minutes.
FRAGMENT_SECONDS = 300
_GENERATION = "dateline_generation"
_SCOPE = "dateline_fragment_scope"
# How many fragments of one generation a process keeps in memory: far more
# than the site makes (a few per page type, section and language).
KEPT_IN_PROCESS = 512


class _ProcessCopy:
    """This process's copy of the current generation's fragments."""

    def __init__(self) -> None:
        # (token, key → HTML), replaced whole, so threads need no lock.
        self._kept: tuple[str, dict[str, SafeString]] = ("", {})

    def get(self, token: str, key: str) -> SafeString | None:
        kept_token, html = self._kept
        return html.get(key) if kept_token == token else None

    def keep(self, token: str, key: str, value: SafeString) -> None:
        kept_token, html = self._kept
        if kept_token != token:
            html = {}
            self._kept = (token, html)
        if len(html) < KEPT_IN_PROCESS:
            html[key] = value


_process_copy = _ProcessCopy()


def page_generation(request: HttpRequest | None) -> Generation | None:
    """The site's generation, read once per request (None: no cache)."""
    if request is None:
        return current_generation()
    if _GENERATION not in request.__dict__:
        request.__dict__[_GENERATION] = current_generation()
    generation: Generation | None = request.__dict__[_GENERATION]
    return generation


def page_scope(request: HttpRequest | None) -> str:
    """The script prefix and language a page's fragments are made under,
    read once per request: a page is rendered under one of each, and
    reading the language costs a thread-local lookup (seven a page)."""
    if request is None:
        return f"{get_script_prefix()} {get_language()}"
    scope: str | None = request.__dict__.get(_SCOPE)
    if scope is None:
        scope = request.__dict__[_SCOPE] = f"{get_script_prefix()} {get_language()}"
    return scope


def fragment_key(name: str, token: str, scope: str, vary_on: tuple[object, ...]) -> str:
    """The fragment ``name`` of generation ``token`` for these values, under
    this script prefix and language (``page_scope``: its links and words
    depend on them)."""
    parts = repr((scope, vary_on))
    digest = hashlib.md5(parts.encode(), usedforsecurity=False).hexdigest()
    return f"fragment:{name}:{token}:{digest}"


def kept_fragment(
    name: str,
    make: Callable[[], str],
    *,
    request: HttpRequest | None,
    vary_on: tuple[object, ...] = (),
) -> SafeString:
    """The fragment kept for the current generation, or ``make()`` kept."""
    generation = page_generation(request)
    if generation is None:
        return mark_safe(make())  # noqa: S308 - rendered by a template
    key = fragment_key(name, generation.token, page_scope(request), vary_on)
    html = _process_copy.get(generation.token, key)
    if html is None:
        html = mark_safe(  # noqa: S308 - rendered by a template
            cached_block(
                key,
                lambda: str(make()),
                seconds=FRAGMENT_SECONDS,
                label=f"Fragment {name}",
            )
        )
        _process_copy.keep(generation.token, key, html)
    return html
