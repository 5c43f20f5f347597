"""deploy/nginx.conf: valid for nginx, and its micro-cache follows our headers.

Needs Debian's nginx (`make tools` installs it); skipped with that reason where
it is not installed, a failure in CI. nginx runs as a child process with every path under a
temporary prefix, in front of a loopback upstream that answers with the
headers each test names.
"""

from __future__ import annotations

import gzip
import http.server
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from dateline.pagecache import files
from tests.environment import NGINX, needs_nginx

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"
HOST = "news.example.com"

pytestmark = needs_nginx

# Upstream answers by path: (Cache-Control, Set-Cookie).
ANSWERS: dict[str, tuple[str | None, str | None]] = {
    "/public/": ("public, max-age=30, stale-while-revalidate=60", None),
    "/shared/": ("public, s-maxage=30", None),
    "/unmarked/": (None, None),
    "/private/": ("private, max-age=30", None),
    "/cookie/": ("public, max-age=30", "csrftoken=abc; Path=/"),
    "/newsroom/": ("public, max-age=30", None),
    "/cities/": ("public, max-age=30", None),
    # A kept page's own (pagecache/middleware.py).
    "/kept/": (
        "public, max-age=0, s-maxage=1, stale-while-revalidate=10, "
        "stale-if-error=21600",
        None,
    ),
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Upstream(http.server.BaseHTTPRequestHandler):
    served: list[tuple[str, str]] = []
    # The app's answer while its database is down (core/outage.py).
    down = False

    def do_GET(self) -> None:
        if self.down:
            self._unavailable()
            return
        path = self.path.split("?")[0]
        cache_control, cookie = ANSWERS.get(path, (None, None))
        self.served.append((self.path, self.headers.get("Accept-Encoding", "")))
        body = (
            f"{self.path} served #{len(self.served)} "
            f"for {self.headers.get('X-Forwarded-For')} "
            f"over {self.headers.get('X-Forwarded-Proto')}"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Vary", "Cookie")
        self.send_header("Surrogate-Key", "item-1 section-world")
        self.send_header("Cache-Tag", "item-1,section-world")
        if cache_control:
            self.send_header("Cache-Control", cache_control)
        if cookie:
            self.send_header("Set-Cookie", cookie)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _unavailable(self) -> None:
        body = b"<p>The news is temporarily unavailable.</p>"
        self.send_response(503)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Retry-After", "30")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def site_config(*, prefix: Path, port: int, upstream: int, data_dir: Path) -> str:
    """deploy/nginx.conf with its CHANGE values pointed into ``prefix``."""
    text = CONF.read_text()
    for old, new in [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
        ("/var/cache/nginx/dateline", str(prefix / "cache")),
        ("root /srv/dateline/var;", f"root {data_dir};"),
        ("/srv/dateline/var/pages/nginx.conf", str(data_dir / "pages" / "nginx.conf")),
        ("listen [::]:80 default_server;", ""),
        ("listen [::]:80;", ""),
        ("listen 80", f"listen 127.0.0.1:{port}"),
    ]:
        assert old in text, f"deploy/nginx.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


def main_config(prefix: Path, site: Path) -> str:
    for name in ("logs", "tmp"):
        (prefix / name).mkdir(exist_ok=True)
    temps = "\n".join(
        f"  {kind}_temp_path {prefix / 'tmp' / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Started by root, nginx's workers would run as nobody, who cannot enter
    # the test's private temporary directories.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    return (
        user + f"pid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'logs' / 'error.log'};\n"
        "daemon off;\nevents { worker_connections 64; }\n"
        "http {\n  include /etc/nginx/mime.types;\n  access_log off;\n"
        f"{temps}\n  include {site};\n}}\n"
    )


def _nginx(prefix: Path, *args: str) -> list[str]:
    assert NGINX is not None
    return [
        NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
        "-e", str(prefix / "logs" / "error.log"), *args,
    ]  # fmt: skip


# Page files as the app writes them (pagecache/files.py), for two pages.
FILES_TAG = "0123abcd"
FILE_HEADERS = (
    ("Content-Security-Policy", "default-src 'self'; img-src 'self' data:"),
    ("X-Frame-Options", "DENY"),
)
FILED = {"/filed/": b"<p>The filed page.</p>", "/": b"<p>The filed home.</p>"}


def write_page_files(
    pages: Path, *, directory: str = "gen-1", tag: str = FILES_TAG
) -> None:
    config = files.FilesConfig(
        root=pages, seconds=60, scheme="http", headers=FILE_HEADERS, tag=FILES_TAG
    )
    pages.mkdir(parents=True, exist_ok=True)
    (pages / "nginx.conf").write_text(files.nginx_include(config))
    for path, body in FILED.items():
        folder = pages / directory / tag / "http" / HOST / path.strip("/")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_bytes(body + directory.encode())
        (folder / "index.html.gz").write_bytes(gzip.compress(body + directory.encode()))
    link = pages / "current.new"
    link.symlink_to(directory)
    link.replace(pages / "current")


# Uploads as they may lie in the media folder: a picture under a name the
# app made, and files nginx must never answer as pages or scripts.
MEDIA_PICTURE = "photos/2026/12/0123456789abcdef0123456789abcdef.jpg"
MEDIA_HOSTILE = {
    "photos/2025/01/x.html": b"GIF89a<html><script>alert(1)</script></html>",
    "photos/2025/01/x.js": b"GIF89a/*\x00*/=alert(1);",
    "photos/2025/01/x.svg": b"<svg xmlns='http://www.w3.org/2000/svg'><script>1</script></svg>",
    "photos/2025/01/noextension": b"<html><script>alert(1)</script>",
}
MEDIA_POLICY = "default-src 'none'; img-src 'self'; sandbox"


def write_media(media: Path) -> None:
    for name, body in [
        (MEDIA_PICTURE, b"\xff\xd8\xff\xe0 a jpeg"),
        *MEDIA_HOSTILE.items(),
    ]:
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(body)


@dataclass
class Site:
    prefix: Path
    port: int
    upstream: int


@pytest.fixture
def site(tmp_path: Path) -> Site:
    data = tmp_path / "var"
    static = data / "static" / "site" / "css"
    static.mkdir(parents=True)
    css = b"body { color: #222; }\n" * 50
    (static / "site.0123456789ab.css").write_bytes(css)
    (static / "site.0123456789ab.css.gz").write_bytes(gzip.compress(css))
    (static / "site.css").write_bytes(css)
    write_page_files(data / "pages")
    write_media(data / "media")
    port, upstream = _free_port(), _free_port()
    conf = tmp_path / "site.conf"
    conf.write_text(
        site_config(prefix=tmp_path, port=port, upstream=upstream, data_dir=data)
    )
    (tmp_path / "nginx.conf").write_text(main_config(tmp_path, conf))
    return Site(tmp_path, port, upstream)


def test_the_example_config_passes_nginx_t(site: Site) -> None:
    result = subprocess.run(
        _nginx(site.prefix, "-t"), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@pytest.fixture
def proxy(site: Site) -> Iterator[str]:
    _Upstream.served = []
    _Upstream.down = False
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", site.upstream), _Upstream)
    thread = threading.Thread(target=upstream.serve_forever, daemon=True)
    thread.start()
    server = subprocess.Popen(
        _nginx(site.prefix), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", site.port)) == 0:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"nginx did not start: {server.stderr.read()!r}")  # type: ignore[union-attr]
            time.sleep(0.05)
        yield f"http://127.0.0.1:{site.port}"
    finally:
        server.terminate()
        server.wait(timeout=10)
        upstream.shutdown()
        upstream.server_close()


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Host": HOST, **headers})  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _cache(proxy: str, path: str, **headers: str) -> list[str]:
    return [_get(proxy + path, **headers)[1].get("X-Cache", "-") for _ in range(2)]


@pytest.mark.parametrize("path", ["/public/", "/shared/"])
def test_a_page_the_app_marks_public_is_served_from_the_cache(
    proxy: str, path: str
) -> None:
    assert _cache(proxy, path) == ["MISS", "HIT"]
    assert len(_Upstream.served) == 1


def test_while_the_app_answers_503_readers_get_the_last_copy_nginx_kept(
    proxy: str,
) -> None:
    status, headers, kept = _get(proxy + "/kept/")
    assert (status, headers["X-Cache"]) == (200, "MISS")
    # Past s-maxage: the copy is stale, not gone. nginx counts whole seconds
    # (valid until the second after the one it was kept in), so over two.
    time.sleep(2.2)
    _Upstream.down = True
    status, headers, body = _get(proxy + "/kept/")
    assert (status, headers["X-Cache"]) == (200, "STALE")
    assert body == kept
    # A page nginx never kept: the app's 503 page, as it was sent.
    status, headers, body = _get(proxy + "/public/")
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert b"temporarily unavailable" in body


def test_purge_tags_are_not_passed_on_to_readers(proxy: str) -> None:
    for _ in range(2):  # from the app, then from the cache
        _, headers, _ = _get(proxy + "/public/")
        assert "Surrogate-Key" not in headers
        assert "Cache-Tag" not in headers


@pytest.mark.parametrize("path", ["/unmarked/", "/private/", "/cookie/"])
def test_a_page_without_public_caching_or_with_a_cookie_is_never_cached(
    proxy: str, path: str
) -> None:
    assert _cache(proxy, path) == ["MISS", "MISS"]
    assert len(_Upstream.served) == 2


def test_the_newsroom_never_touches_the_cache(proxy: str) -> None:
    assert _cache(proxy, "/newsroom/") == ["-", "-"]
    assert len(_Upstream.served) == 2


def test_staff_with_a_session_bypass_the_cache_both_ways(proxy: str) -> None:
    assert _cache(proxy, "/public/", Cookie="sessionid=staff") == ["BYPASS", "BYPASS"]
    # Nothing the staff member got was stored for readers.
    assert _cache(proxy, "/public/") == ["MISS", "HIT"]


def test_api_partners_and_the_city_form_bypass_the_cache(proxy: str) -> None:
    assert _cache(proxy, "/public/", Authorization="Bearer partner-key") == [
        "BYPASS",
        "BYPASS",
    ]
    # Even if the app marked it public, the page with the reader's own form
    # is never shared.
    assert _cache(proxy, "/cities/") == ["BYPASS", "BYPASS"]
    assert _cache(proxy, "/public/") == ["MISS", "HIT"]


def test_the_filter_and_city_cookies_get_copies_of_their_own_and_others_share(
    proxy: str,
) -> None:
    assert _cache(proxy, "/public/") == ["MISS", "HIT"]
    assert _cache(proxy, "/public/", Cookie="dateline_sections=world") == [
        "MISS",
        "HIT",
    ]
    assert _cache(proxy, "/public/", Cookie="dateline_city=oslo") == ["MISS", "HIT"]
    assert _cache(proxy, "/public/", Cookie="_ga=tracker") == ["HIT", "HIT"]


def test_gzip_clients_and_others_get_separate_copies_and_the_app_sees_gzip_or_nothing(
    proxy: str,
) -> None:
    assert _cache(proxy, "/public/", **{"Accept-Encoding": "gzip, br, zstd"}) == [
        "MISS",
        "HIT",
    ]
    assert _cache(proxy, "/public/", **{"Accept-Encoding": "gzip"}) == ["HIT", "HIT"]
    assert _cache(proxy, "/public/") == ["MISS", "HIT"]
    assert [seen for _, seen in _Upstream.served] == ["gzip", ""]


def test_the_app_gets_the_readers_address_and_scheme(proxy: str) -> None:
    body = _get(proxy + "/unmarked/", **{"X-Forwarded-For": "203.0.113.9"})[2]
    assert b"for 203.0.113.9, 127.0.0.1 over http" in body


def test_an_unknown_host_gets_no_answer(proxy: str) -> None:
    with pytest.raises(ConnectionError):  # closed without an answer
        _get(proxy + "/public/", Host="evil.example")
    assert _Upstream.served == []


def test_hashed_static_files_are_immutable_and_sent_precompressed(
    proxy: str,
) -> None:
    status, headers, body = _get(
        proxy + "/static/site/css/site.0123456789ab.css", **{"Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert gzip.decompress(body).startswith(b"body {")
    status, headers, _ = _get(proxy + "/static/site/css/site.css")
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=60"
    assert _get(proxy + "/static/missing.css")[0] == 404
    assert _Upstream.served == []


def test_a_plain_request_for_a_page_with_a_file_gets_the_file_and_its_headers(
    proxy: str, site: Site
) -> None:
    status, headers, body = _get(proxy + "/filed/")
    assert status == 200
    assert body == b"<p>The filed page.</p>gen-1"
    assert headers["X-Page-Cache"] == "file"
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    for name, value in FILE_HEADERS:
        assert headers[name] == value
    assert headers["Vary"] == "Cookie, Accept-Encoding"
    assert headers["Cache-Control"].startswith("public, max-age=0, s-maxage=1")
    _, headers, body = _get(proxy + "/", **{"Accept-Encoding": "gzip, br"})
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == b"<p>The filed home.</p>gen-1"
    assert _Upstream.served == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Cookie": "dateline_city=oslo"},
        {"Cookie": "dateline_sections=world"},
        {"Cookie": "sessionid=staff"},
        {"Cookie": "messages=pending"},
        {"Authorization": "Bearer partner-key"},
    ],
)
def test_a_request_the_app_must_answer_never_gets_the_file(
    proxy: str, headers: dict[str, str]
) -> None:
    _, answer, body = _get(proxy + "/filed/", **headers)
    assert "X-Page-Cache" not in answer
    assert body.startswith(b"/filed/ served")


def test_a_query_string_goes_to_the_app_and_other_cookies_do_not_matter(
    proxy: str,
) -> None:
    assert _get(proxy + "/filed/?utm_source=x")[2].startswith(
        b"/filed/?utm_source=x served"
    )
    assert _get(proxy + "/filed/", Cookie="_ga=tracker")[2].endswith(b"gen-1")
    assert _get(proxy + "/elsewhere/")[2].startswith(b"/elsewhere/ served")


def _within_a_second(url: str, wanted: Callable[[bytes], bool]) -> float:
    """How long until the answer is the wanted one (nginx keeps open files
    and looks their paths up again after a second); fails after 1.5 s."""
    start = time.monotonic()
    while not wanted(_get(url)[2]):
        assert time.monotonic() - start < 1.5, "still the old answer"
        time.sleep(0.05)
    return time.monotonic() - start


def test_switching_current_changes_every_answer_within_a_second(
    proxy: str, site: Site
) -> None:
    assert _get(proxy + "/filed/")[2].endswith(b"gen-1")
    write_page_files(site.prefix / "var" / "pages", directory="gen-2")
    _within_a_second(proxy + "/filed/", lambda body: body.endswith(b"gen-2"))
    (site.prefix / "var" / "pages" / "current").unlink()
    _within_a_second(proxy + "/filed/", lambda body: body.startswith(b"/filed/ served"))
    assert _get(proxy + "/")[2].startswith(b"/ served")


def test_files_written_for_other_headers_than_nginx_has_are_not_served(
    proxy: str, site: Site
) -> None:
    write_page_files(site.prefix / "var" / "pages", directory="gen-2", tag="fedcba98")
    assert _get(proxy + "/filed/")[2].startswith(b"/filed/ served")


@pytest.fixture
def files_off(site: Site) -> None:
    """The include the app writes while page files cannot be written."""
    include = site.prefix / "var" / "pages" / "nginx.conf"
    include.write_text(files.INCLUDE_WHILE_OFF.format(why="the page cache is off"))


def test_with_page_files_off_nginx_starts_and_asks_the_app(
    files_off: None, proxy: str
) -> None:
    _, headers, body = _get(proxy + "/filed/")
    assert body.startswith(b"/filed/ served")
    assert "X-Page-Cache" not in headers


@pytest.mark.parametrize(
    "path", ["/" + "a" * 300 + "/", "/caf%C3%A9/", "/a%20b/", "/x//y/", "/x/./y/"]
)
def test_odd_paths_look_for_no_file_and_reach_the_app(proxy: str, path: str) -> None:
    status, headers, body = _get(proxy + path)
    assert status == 200
    assert "X-Page-Cache" not in headers
    assert b" served #" in body


def test_a_path_above_the_root_is_refused_by_nginx(proxy: str) -> None:
    assert _get(proxy + "/%2e%2e/%2e%2e/etc/")[0] == 400
    assert _Upstream.served == []


def test_a_stored_picture_is_served_as_its_type_sandboxed_and_cached_for_a_year(
    proxy: str,
) -> None:
    status, headers, body = _get(f"{proxy}/media/{MEDIA_PICTURE}")
    assert status == 200
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == MEDIA_POLICY
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Content-Disposition" not in headers
    assert body.startswith(b"\xff\xd8")
    assert _Upstream.served == []


@pytest.mark.parametrize("name", sorted(MEDIA_HOSTILE))
def test_an_upload_that_is_not_a_picture_type_is_a_sandboxed_download(
    proxy: str, name: str
) -> None:
    status, headers, _ = _get(f"{proxy}/media/{name}")
    assert status == 200
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Disposition"] == "attachment"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == MEDIA_POLICY
    assert _Upstream.served == []


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/media/photos/2026/12/", 404),
        ("/media/photos/", 404),
        ("/media/photos/2026/12/missing.jpg", 404),
        ("/media/" + "a" * 300 + ".jpg", 404),
        ("/media/" + "a/" * 600 + "b.jpg", 404),
        ("/media/photos/%00.jpg", 400),
        ("/media/%2e%2e/%2e%2e/etc/passwd", 400),
        ("/media/photos/..%2f..%2f..%2fetc/passwd", 400),
    ],
)
def test_odd_media_paths_get_a_4xx_and_never_reach_the_app(
    proxy: str, path: str, status: int
) -> None:
    assert _get(proxy + path)[0] == status
    assert _Upstream.served == []
