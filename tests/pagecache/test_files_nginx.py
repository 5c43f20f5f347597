"""deploy/nginx.conf in front of `dateline serve` with page files on: the
second reader of a page gets nginx's file, the same page with the same
headers; a publish in the newsroom's process switches the files at once,
and readers have the new page within the second (nginx's micro-cache and
its open files are kept a second).

Needs Debian's nginx; runs its own SQLite site, in the SQLite pass only."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from typing import TYPE_CHECKING, NamedTuple

import pytest
from django.conf import settings

from tests.core.test_nginx_conf import _nginx, main_config, site_config
from tests.environment import needs_nginx
from tests.pagecache.test_processes import (
    PUBLISH,
    dateline,
    free_port,
    make_site,
    serve,
    site_env,
    wait_for,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = [
    needs_nginx,
    pytest.mark.skipif(
        "sqlite" not in settings.DATABASES["default"]["ENGINE"],
        reason="runs its own SQLite site; covered by the suite's SQLite pass",
    ),
]

HOST = "news.example.com"
# Headers that belong to one answer or that nginx and the app each make
# their own way (validators, length, server).
PER_ANSWER = {
    "date", "server", "content-length", "etag", "last-modified", "x-page-cache",
    "x-cache", "accept-ranges", "connection", "surrogate-key", "cache-tag",
    "transfer-encoding",
}  # fmt: skip


def fetch(base: str, path: str) -> tuple[dict[str, str], bytes]:
    request = urllib.request.Request(base + path, headers={"Host": HOST})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback
        return {k.lower(): v for k, v in answer.headers.items()}, answer.read()


def until_filed(base: str, path: str) -> tuple[dict[str, str], bytes]:
    """The page's answer once nginx serves it from a file: the app writes it
    when the page is asked for again, which nginx's micro-cache answers
    itself for a second."""
    deadline = time.monotonic() + 5
    while True:
        headers, body = fetch(base, path)
        if headers.get("x-page-cache") == "file" or time.monotonic() > deadline:
            assert headers.get("x-page-cache") == "file"
            return headers, body
        time.sleep(0.1)


def _wait_for_nginx(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("nginx did not start")


class Site(NamedTuple):
    base: str  # nginx's address
    env: dict[str, str]  # the app's environment, for commands


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One site for the module (it takes a while to make): the tests read,
    then publish, in that order."""
    tmp_path = tmp_path_factory.mktemp("files-nginx")
    data = tmp_path / "var"
    env = site_env(
        data,
        DATELINE_PAGE_FILES="true",
        DATELINE_PROXY_HOPS="1",
        DATELINE_ALLOWED_HOSTS=f"{HOST},127.0.0.1",
    )
    make_site(env)
    app_port, port = free_port(), free_port()
    app = serve(app_port, env)
    nginx = None
    try:
        wait_for(app_port)  # by then the app has written pages/nginx.conf
        conf = tmp_path / "site.conf"
        conf.write_text(
            site_config(prefix=tmp_path, port=port, upstream=app_port, data_dir=data)
        )
        (tmp_path / "nginx.conf").write_text(main_config(tmp_path, conf))
        nginx = subprocess.Popen(
            _nginx(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        _wait_for_nginx(port)
        yield Site(f"http://127.0.0.1:{port}", env)
    finally:
        for process in (nginx, app):
            if process is not None:
                process.terminate()
                process.wait(timeout=20)


def test_the_second_reader_gets_the_file_the_same_page_with_the_same_headers(
    site: Site,
) -> None:
    made, body = fetch(site.base, "/news/")
    assert made["x-page-cache"] == "miss"
    filed, again = until_filed(site.base, "/news/")
    assert again == body
    assert b"First story on the wire" in again
    assert {k: v for k, v in filed.items() if k not in PER_ANSWER} == {
        k: v for k, v in made.items() if k not in PER_ANSWER
    }


def test_a_publish_in_another_process_is_on_the_next_answer(site: Site) -> None:
    until_filed(site.base, "/news/")
    dateline(site.env, "shell", "-c", PUBLISH)
    published = time.monotonic()
    # The file went with the publish; the page nginx's micro-cache kept when
    # the first reader asked may live out its second (s-maxage=1), and so
    # may nginx's open file (open_file_cache_valid 1s).
    headers, body = fetch(site.base, "/news/")
    while b"Second story" not in body and time.monotonic() - published < 1.5:
        kept_by = headers.get("x-cache") or headers.get("x-page-cache")
        assert kept_by in {"HIT", "STALE", "UPDATING", "file"}
        time.sleep(0.05)
        headers, body = fetch(site.base, "/news/")
    assert b"Second story on the wire" in body
    assert headers.get("x-page-cache") in {"miss", "hit", "file"}
    assert b"Second story on the wire" in until_filed(site.base, "/news/")[1]
