"""Feed cursors: opaque, signed, and refused when damaged or made up."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core import signing

from dateline.feed.cursor import (
    MAX_TOKEN_LENGTH,
    Cursor,
    InvalidCursorError,
    decode_cursor,
    encode_cursor,
)

MOMENT = datetime(2026, 9, 6, 9, 36, 5, 123456, tzinfo=UTC)


def test_a_cursor_survives_the_round_trip_to_the_microsecond() -> None:
    cursor = Cursor(MOMENT, 987654321)
    token = encode_cursor(cursor)
    assert decode_cursor(token) == cursor
    assert len(token) < MAX_TOKEN_LENGTH


def test_the_token_is_url_safe_and_says_nothing_readable() -> None:
    token = encode_cursor(Cursor(MOMENT, 42))
    assert all(c.isalnum() or c in "-_." for c in token)
    assert "2026" not in token


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "1.2",
        "1.2.3",
        "x" * (MAX_TOKEN_LENGTH + 1),
        "ünïcode.1.sig",
        "\x00\x01",
        "66103fc40cd5e.37.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ],
)
def test_damaged_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidCursorError):
        decode_cursor(token)


def test_a_made_up_position_with_a_forged_signature_is_refused() -> None:
    genuine = encode_cursor(Cursor(MOMENT, 42))
    payload, _, signature = genuine.rpartition(".")
    forged = payload.replace("2a", "2b") + "." + signature
    with pytest.raises(InvalidCursorError):
        decode_cursor(forged)


@pytest.mark.parametrize(
    "payload",
    ["-5.2a", "10.0", "10.-1", "10.ffffffffffffffffff", "zz.1", "fffffffffffffffff.1"],
)
def test_signed_but_impossible_positions_are_refused(payload: str) -> None:
    token = signing.Signer(salt="dateline.feed.cursor", sep=".").sign(payload)
    with pytest.raises(InvalidCursorError):
        decode_cursor(token)
