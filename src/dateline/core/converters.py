"""URL converters shared by the apps' URLconfs."""

from __future__ import annotations


class IdConverter:
    """A database id: digits that fit a signed 64-bit integer, so that a
    stranger's 30-digit number is a 404, not a database overflow."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
