"""Reading bytes from outside: a rates sheet, a partner's feed, a weather report.

One place decides how far we trust another server: http(s) only, a timeout,
a size cap (a larger answer is refused, not cut), and a plain error that
names the address the caller gave. Callers parse what comes back; nothing
here retries.

Addresses inside the network are refused. A partner feed's address is typed
by a person in the newsroom, and the machine that fetches it can reach what
no stranger should: its own loopback services, the private network, a cloud
provider's metadata endpoint (169.254.169.254). So every request:

- resolves the host once (``getaddrinfo``) and refuses it if *any* address it
  resolves to is inside (``is_inside``: loopback, private, unique-local,
  link-local, carrier-grade NAT, unspecified, multicast, reserved, and
  IPv4-mapped or 6to4 forms of those), or if the name itself is one that only
  means something inside (``localhost``, ``*.local``, ``*.internal``…);
- connects to the address it checked, not to the name, so that a second
  lookup cannot answer differently (DNS rebinding); the ``Host`` header, TLS
  SNI and the certificate check still use the name (urllib3's
  ``server_hostname`` and ``assert_hostname``);
- follows redirects itself (at most ``MAX_REDIRECTS``, http(s) only), each
  hop checked the same way.

``DATELINE_FETCH_ALLOWED_NETWORKS`` names networks an operator trusts (a
self-hosted weather service, a local rates mirror);
``DATELINE_FETCH_ALLOW_PRIVATE`` trusts every address (a developer's
machine). Caches to purge (``DATELINE_PURGE_URLS``) are trusted by being
named there (``send_request(allow_inside=True)``, pagecache/purge.py).
Proxy variables (``HTTP_PROXY``…) are not used: a proxy would resolve the
name again, out of our sight.

Failures say what happened in plain words and nothing about the inside:
"the address is not allowed (it points inside the network)" or "could not be
fetched", never which internal address a name resolved to or whether a port
answered ("connection refused" against "timed out").
"""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
    IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

TIMEOUT_SECONDS = 20
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

# Names that mean something only inside a network, whatever a resolver says:
# RFC 6761 (localhost, invalid), RFC 6762 (local: mDNS), RFC 8375
# (home.arpa), ICANN's private-use TLD (internal: metadata.google.internal…),
# and localdomain, which resolvers' default files give loopback.
INSIDE_NAMES = ("localhost", "localdomain", "local", "internal", "home.arpa", "invalid")
# Inside, beyond what ``ipaddress`` calls private or reserved: site-local
# IPv6 (deprecated, still routed by some networks). Carrier-grade NAT
# (100.64.0.0/10) is not ``is_global``.
ALSO_INSIDE = (ipaddress.ip_network("fec0::/10"),)


class FetchError(Exception):
    """The address could not be read; the message says why, for a log line."""


class AddressNotAllowedError(FetchError):
    """The address points inside the network, and no setting allows it."""


def fetch_url(url: str, *, max_bytes: int, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The body at an http(s) URL, refused if larger than ``max_bytes``.

    Redirects are followed (each hop checked like the first); any answer
    other than 2xx is an error. Messages name ``url``, never a hop.
    """
    headers = {
        "User-Agent": f"Dateline ({settings.DATELINE_AGENCY_NAME})",
        "Accept-Encoding": "identity",
    }
    address = url
    for _hop in range(MAX_REDIRECTS + 1):
        response = _open("GET", address, headers=headers, timeout=timeout, named=url)
        try:
            if response.status in REDIRECT_STATUSES:
                location = response.headers.get("Location", "")
                if not location:
                    raise FetchError(_answered(url, response.status))
                address = urljoin(address, location)
                continue
            if not 200 <= response.status < 300:
                raise FetchError(_answered(url, response.status))
            try:
                data = response.read(max_bytes + 1, decode_content=False)
            except (urllib3.exceptions.HTTPError, OSError):
                raise FetchError(_unreachable(url)) from None
        finally:
            response.release_conn()
            response.close()
        if len(data) > max_bytes:
            raise FetchError(
                _("%(url)s: larger than %(bytes)s bytes; refused.")
                % {"url": url, "bytes": f"{max_bytes:,}"}
            )
        return data
    raise FetchError(
        _("%(url)s: too many redirects (more than %(count)d).")
        % {"url": url, "count": MAX_REDIRECTS}
    )


def send_request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    timeout: float,
    allow_inside: bool = False,
) -> int:
    """Send one request without a body and return the answer's status.

    Redirects are not followed. ``allow_inside`` is for addresses an operator
    named in the settings themselves (caches to purge, which are usually on
    the same machine or network by design), never for an address that came
    from content or a form.
    """
    response = _open(
        method,
        url,
        headers=headers,
        timeout=timeout,
        named=url,
        allow_inside=allow_inside,
    )
    response.release_conn()
    response.close()
    return response.status


def check_url(url: str) -> None:
    """Refuse an address now if it is not http(s) or points inside.

    For forms: a name that does not resolve passes (it may later; every fetch
    checks again). Raises ``FetchError`` or ``AddressNotAllowedError``.
    """
    _scheme, host, port = _parts(url, named=url)
    try:
        _addresses(host, port, named=url)
    except AddressNotAllowedError:
        raise
    except FetchError:
        return


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


# --- which addresses are inside --------------------------------------------


def is_inside(address: IPAddress) -> bool:
    """Whether an address belongs to a private, local or special network."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped
        if mapped is not None:  # ::ffff:a.b.c.d reaches a.b.c.d
            return is_inside(mapped)
        embedded = address.sixtofour  # 2002:AABB:CCDD:: tunnels to an IPv4
        if embedded is not None and is_inside(embedded):
            return True
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_multicast
        or address.is_reserved
        or any(address in network for network in ALSO_INSIDE)
    )


def is_inside_name(host: str) -> bool:
    """Whether a host name means something only inside a network."""
    name = host.rstrip(".").lower()
    return any(name == end or name.endswith(f".{end}") for end in INSIDE_NAMES)


def is_allowed(address: IPAddress) -> bool:
    """Whether we may connect to this address (outside, or trusted)."""
    if settings.DATELINE_FETCH_ALLOW_PRIVATE or not is_inside(address):
        return True
    networks = _trusted_networks(tuple(settings.DATELINE_FETCH_ALLOWED_NETWORKS))
    forms = [address]
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        forms.append(address.ipv4_mapped)
    return any(
        form in network
        for form in forms
        for network in networks
        if form.version == network.version
    )


@lru_cache(maxsize=8)
def _trusted_networks(entries: tuple[str, ...]) -> list[IPNetwork]:
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries]


# --- one request ---------------------------------------------------------------


def _open(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    timeout: float,
    named: str,
    allow_inside: bool = False,
) -> urllib3.BaseHTTPResponse:
    """Resolve, check, connect to the checked address, send; the response
    unread (the caller releases it)."""
    scheme, host, port = _parts(url, named=named)
    addresses = _addresses(host, port, named=named, allow_inside=allow_inside)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    shown_host = f"[{host}]" if ":" in host else host
    default_port = 443 if scheme == "https" else 80
    host_header = shown_host if port == default_port else f"{shown_host}:{port}"
    for address in addresses:
        pool = _pool(scheme, address, port, host=host, timeout=timeout)
        try:
            return pool.urlopen(
                method,
                target,
                headers={**headers, "Host": host_header},
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
        except (
            urllib3.exceptions.NewConnectionError,
            urllib3.exceptions.ConnectTimeoutError,
        ):
            continue  # the next address of the name, if any (IPv6, then IPv4…)
        except (urllib3.exceptions.HTTPError, OSError):
            break
    raise FetchError(_unreachable(named))


def _parts(url: str, *, named: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError(_("%(url)s: not a web address.") % {"url": named}) from None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise FetchError(
            _("%(url)s: only http and https addresses are fetched.") % {"url": named}
        )
    try:
        # A name in another script is looked up, sent and checked in its
        # ASCII form (IDNA), as a browser would.
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except UnicodeError:
        host = ""
    if not host:
        raise FetchError(_("%(url)s: not a web address.") % {"url": named})
    return scheme, host, port or (443 if scheme == "https" else 80)


def _addresses(
    host: str, port: int, *, named: str, allow_inside: bool = False
) -> list[IPAddress]:
    """Every address ``host`` resolves to, all checked; refused if any is inside."""
    refused = AddressNotAllowedError(
        _("%(url)s: the address is not allowed (it points inside the network).")
        % {"url": named}
    )
    if is_inside_name(host) and not (
        allow_inside or settings.DATELINE_FETCH_ALLOW_PRIVATE
    ):
        raise refused
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise FetchError(_unreachable(named)) from None
    addresses = _unique(ipaddress.ip_address(str(info[4][0])) for info in found)
    if not addresses:
        raise FetchError(_unreachable(named))
    if not allow_inside and not all(is_allowed(address) for address in addresses):
        raise refused
    return addresses


def _unique(addresses: Iterable[IPAddress]) -> list[IPAddress]:
    return list(dict.fromkeys(addresses))


def _pool(
    scheme: str, address: IPAddress, port: int, *, host: str, timeout: float
) -> urllib3.HTTPConnectionPool:
    """A one-connection pool to ``address``; TLS names and checks ``host``."""
    limits = urllib3.Timeout(connect=timeout, read=timeout)
    if scheme == "https":
        return urllib3.HTTPSConnectionPool(
            str(address),
            port,
            timeout=limits,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            server_hostname=host,
            assert_hostname=host,
        )
    return urllib3.HTTPConnectionPool(str(address), port, timeout=limits, retries=False)


def _answered(url: str, status: int) -> str:
    return _("%(url)s: the server answered %(status)d.") % {
        "url": url,
        "status": status,
    }


def _unreachable(url: str) -> str:
    return _("%(url)s: could not be fetched.") % {"url": url}
