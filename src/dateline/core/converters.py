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


class OrdinalConverter:
    """A 1-based position (a gallery's third photo is 3): no zero, no sign,
    no leading zeros, so that each position has one address, and at most
    five digits, so that a stranger's 30-digit number never reaches a view."""

    regex = "[1-9][0-9]{0,4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
