"""A web server on 127.0.0.1 for tests of code that fetches outside addresses,
and a stand-in for DNS.

Outbound fetches refuse loopback (core/fetch.py): a test that fetches from
this server asks for the ``fetch_from_loopback`` fixture (tests/conftest.py).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import ssl
    from collections.abc import Iterator

# A page is its body (200), a status with a body, or a status, a body and
# headers (a redirect's Location).
Page = bytes | tuple[int, bytes] | tuple[int, bytes, dict[str, str]]


class Site:
    """Pages by path (the query is not part of it); change ``pages`` while the
    server runs. ``requests`` holds every path asked for, query included."""

    def __init__(self, pages: dict[str, Page]) -> None:
        self.pages = pages
        self.base = ""
        self.requests: list[str] = []
        # The Host header of every GET, in order.
        self.hosts: list[str] = []
        # Every request that was not a GET: (method, path, headers in lower case).
        self.other: list[tuple[str, str, dict[str, str]]] = []

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


@contextmanager
def serve(
    pages: dict[str, Page], *, tls: ssl.SSLContext | None = None
) -> Iterator[Site]:
    """Serve ``pages`` on 127.0.0.1 (over TLS with ``tls``, a server context)."""
    site = Site(dict(pages))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append(self.path)
            site.hosts.append(self.headers.get("Host", ""))
            page = site.pages.get(urlsplit(self.path).path)
            if page is None:
                self.send_error(404)
                return
            if not isinstance(page, tuple):
                page = (200, page)
            status, body = page[0], page[1]
            self.send_response(status)
            for name, value in (page[2] if len(page) == 3 else {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_PURGE(self) -> None:  # Varnish's and nginx's purge method
            headers = {name.lower(): value for name, value in self.headers.items()}
            site.other.append(("PURGE", self.path, headers))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    scheme = "https" if tls is not None else "http"
    site.base = f"{scheme}://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        httpd.shutdown()
        httpd.server_close()


def resolve_as(monkeypatch: Any, names: dict[str, list[str]]) -> list[str]:
    """DNS for tests: each name in ``names`` resolves to its addresses; an
    address resolves to itself; any other name is unknown. Returns the list
    of names looked up, in order (to count lookups)."""
    looked_up: list[str] = []

    def getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> Any:
        looked_up.append(host)
        try:
            literal = [str(ipaddress.ip_address(host.strip("[]")))]
        except ValueError:
            literal = []
        addresses = names.get(host.rstrip(".").lower(), literal)
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        number = int(port) if isinstance(port, int | str) else 0
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (address, number, 0, 0) if ":" in address else (address, number),
            )
            for address in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return looked_up
