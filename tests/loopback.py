"""A web server on 127.0.0.1 for tests of code that fetches outside addresses."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator


class Site:
    """Pages by path; change ``pages`` while the server runs."""

    def __init__(self, pages: dict[str, bytes], base: str) -> None:
        self.pages = pages
        self.base = base
        self.requests: list[str] = []

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


@contextmanager
def serve(pages: dict[str, bytes]) -> Iterator[Site]:
    site = Site(dict(pages), "")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append(self.path)
            body = site.pages.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

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
