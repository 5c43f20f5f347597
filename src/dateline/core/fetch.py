"""Reading bytes from outside: a rates sheet, a partner's feed, a weather report.

One place decides how far we trust another server: http(s) only, a timeout,
a size cap (a larger answer is refused, not cut), and a plain error that
names the address. Callers parse what comes back; nothing here retries.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

TIMEOUT_SECONDS = 20


class FetchError(Exception):
    """The address could not be read; the message says why, for a log line."""


def fetch_url(url: str, *, max_bytes: int, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The body at an http(s) URL, refused if larger than ``max_bytes``."""
    if not url.startswith(("http://", "https://")):
        raise FetchError(f"{url}: only http and https addresses are fetched.")
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url,
        headers={
            "User-Agent": f"Dateline ({settings.DATELINE_AGENCY_NAME})",
            "Accept-Encoding": "identity",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = bytes(response.read(max_bytes + 1))
    except urllib.error.HTTPError as error:
        raise FetchError(f"{url}: the server answered {error.code}.") from None
    except (OSError, ValueError) as error:
        raise FetchError(f"{url}: could not be fetched ({error}).") from None
    if len(data) > max_bytes:
        raise FetchError(f"{url}: larger than {max_bytes:,} bytes; refused.")
    return data


def read_location(location: str, *, max_bytes: int) -> bytes:
    """A command-line argument's bytes: an http(s) URL or a file path."""
    if location.startswith(("http://", "https://")):
        return fetch_url(location, max_bytes=max_bytes)
    path = Path(location)
    if not path.is_file():
        raise FetchError(f"{location}: no such file.")
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FetchError(f"{location}: larger than {max_bytes:,} bytes; refused.")
    return data
