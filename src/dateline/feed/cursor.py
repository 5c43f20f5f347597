"""The opaque position in a feed: "items older than this one".

A cursor is the (publication time, id) of the last item shown, the keyset the
feed indexes are ordered by, so that page 10,000 costs what page 1 costs. It
travels in URLs signed, so that a stranger cannot hand us a made-up position
and a damaged link is told apart from a real one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core import signing

_SALT = "dateline.feed.cursor"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Longer than any token we issue; anything bigger is refused before decoding.
MAX_TOKEN_LENGTH = 120


class InvalidCursorError(ValueError):
    """The token is not one we issued."""


@dataclass(frozen=True, order=True)
class Cursor:
    published_at: datetime
    pk: int

    @classmethod
    def after(cls, item: object) -> Cursor:
        """The position just past ``item`` (an article or a feed row)."""
        published_at = getattr(item, "published_at", None)
        pk = getattr(item, "pk", None)
        if published_at is None or pk is None:
            raise ValueError("A cursor needs a published item.")
        return cls(published_at, pk)


def encode_cursor(cursor: Cursor) -> str:
    micros = (cursor.published_at - _EPOCH) // timedelta(microseconds=1)
    payload = f"{micros:x}.{cursor.pk:x}"
    return signing.Signer(salt=_SALT, sep=".").sign(payload)


def decode_cursor(token: str) -> Cursor:
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise InvalidCursorError(token)
    try:
        payload = signing.Signer(salt=_SALT, sep=".").unsign(token)
        micros_hex, pk_hex = payload.split(".")
        micros, pk = int(micros_hex, 16), int(pk_hex, 16)
        published_at = _EPOCH + timedelta(microseconds=micros)
    except (signing.BadSignature, ValueError, OverflowError):
        raise InvalidCursorError(token) from None
    if micros < 0 or not 0 < pk < 2**63:
        raise InvalidCursorError(token)
    return Cursor(published_at, pk)
