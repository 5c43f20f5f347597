"""A web server on 127.0.0.1 for tests of code that fetches outside addresses."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterator

# A page is its body (200), or a status with a body.
Page = bytes | tuple[int, bytes]


class Site:
    """Pages by path (the query is not part of it); change ``pages`` while the
    server runs. ``requests`` holds every path asked for, query included."""

    def __init__(self, pages: dict[str, Page]) -> None:
        self.pages = pages
        self.base = ""
        self.requests: list[str] = []
        # Every request that was not a GET: (method, path, headers in lower case).
        self.other: list[tuple[str, str, dict[str, str]]] = []

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


@contextmanager
def serve(pages: dict[str, Page]) -> Iterator[Site]:
    site = Site(dict(pages))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append(self.path)
            page = site.pages.get(urlsplit(self.path).path)
            if page is None:
                self.send_error(404)
                return
            status, body = page if isinstance(page, tuple) else (200, page)
            self.send_response(status)
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
    site.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        httpd.shutdown()
        httpd.server_close()
