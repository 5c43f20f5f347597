"""Where an article page reports its view: the beacon's and the pixel's paths.

Remembered per script prefix, as section paths are (``content.models``):
resolving the URLconf twice cost an uncached article page about 50 µs.
tests/popularity/test_widget.py holds them equal to ``reverse()``.
"""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, reverse


@lru_cache(maxsize=16)
def _beacon_path(script_prefix: str) -> str:
    return reverse("popularity:count-view")


def view_beacon(pk: int) -> tuple[str, str]:
    """The path the script posts to, and the pixel's for readers without it."""
    beacon = _beacon_path(get_script_prefix())
    return beacon, f"{beacon}{pk}.gif"
