"""Kept pages as files that nginx serves itself (``DATELINE_PAGE_FILES``).

Behind nginx, a page from nginx's own proxy cache cost about a quarter more
than a static file. So, when page files are on, the plainest requests (GET,
no query string, no cookie that changes a page) also get their page written
to disk, and deploy/nginx.conf sends such a request to the file when there
is one, and to the app otherwise. A page is written when it is asked for
again (a hit in the page cache), not when it is made: a page asked for once,
as a crawler goes through the archive, never touches the disk.

Files never outlive what they show:

- They live in a directory per *generation and slot*, and ``pages/current``
  is a symlink to the one in use. A new generation makes a new directory and
  switches the link (a rename, atomic): a publish costs O(1), as before, and
  no file of the old generation is served again.
- A slot is ``DATELINE_PAGE_CACHE_SECONDS`` of wall-clock time. With files
  on, the slot is part of every page key too (``key_token``), so a page is
  made at most a slot before its file is served: the same age a kept page
  reaches (Most read changes without a generation).
- Nothing reaches the app while nginx serves files, so a thread in each
  server process (``Keeper``) switches the link when a slot ends, when a
  scheduled item is due (it starts the new generation) and when another
  process or machine started one. The link only ever moves forward (by the
  generation's time, then the slot), so a process that read the generation a
  moment ago cannot switch it back.

nginx adds the headers a page would have had from the app. Those come from
``pages/nginx.conf``, which the app writes from its settings (``write_include``)
and nginx includes; its ``$dateline_page_headers`` names a directory level
under which files are written, so an nginx not reloaded since the settings
changed finds no file and asks the app. A page is written only when its
headers are exactly that set: a view with headers of its own is never a file.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import setting_changed
from django.db import Error as DatabaseFailure
from django.db import connections
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils.module_loading import import_string

from dateline.core import outage
from dateline.pagecache import keys, store

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)

CURRENT = "current"
INCLUDE = "nginx.conf"
# The middleware whose headers every public page carries; nginx repeats them.
HEADER_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "dateline.core.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
)
# A page's headers that nginx makes itself or that belong to one answer.
NOT_COMPARED = {
    "content-type", "content-length", "content-encoding", "vary",
    "surrogate-key", "cache-tag", "etag", "last-modified",
}  # fmt: skip
CONTENT_TYPE = "text/html; charset=utf-8"
# Paths written as files: plain segments ending in a slash, as our pages are.
# nginx looks the file up by its decoded, normalised $uri, so anything an
# escape or a dot segment could make ambiguous is left to the app.
SAFE_PATH = re.compile(r"(?:/[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,199})*/")
MAX_PATH_LENGTH = 1000
SAFE_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?")
# Pages a process writes into one directory, at most: the pages read in a
# slot are far fewer, and a stranger asking for the archive's pages twice
# each cannot fill the disk (about 70 KB a page, both files).
MAX_FILES_PER_SLOT = 10_000
# How often the keeper looks at the generation and the clock.
TICK_SECONDS = 0.2
# With the page cache down, the keeper looks again after this long.
DOWN_SECONDS = 5.0
# A directory no longer current is removed this long after (nginx may be
# sending one of its files).
RETIRED_SECONDS = 10.0
# A header value nginx cannot repeat in a quoted string as it is.
NGINX_UNSAFE = re.compile(r'["\\$\r\n]')


class FilesConfig(NamedTuple):
    root: Path
    seconds: int  # one slot
    scheme: str  # the scheme pages are written for
    headers: tuple[tuple[str, str], ...]  # what nginx adds, but Vary and caching
    tag: str  # names the header set: a directory level nginx knows


@functools.cache
def config() -> FilesConfig | None:
    """None when page files are off (or the page cache is, or a header of
    our pages cannot be written in nginx's configuration)."""
    if not (settings.DATELINE_PAGE_FILES and settings.DATELINE_PAGE_CACHE):
        return None
    scheme = "https" if settings.DATELINE_HTTPS else "http"
    headers = tuple(file_headers(scheme))
    unsafe = [name for name, value in headers if NGINX_UNSAFE.search(value)]
    if unsafe:
        logger.error("Page files: off; nginx cannot repeat the header %s.", unsafe[0])
        return None
    digest = hashlib.blake2b(repr(headers).encode(), digest_size=6).hexdigest()
    return FilesConfig(
        root=Path(settings.DATELINE_PAGE_FILES_DIR),
        seconds=settings.DATELINE_PAGE_CACHE_SECONDS,
        scheme=scheme,
        headers=headers,
        tag=digest,
    )


@receiver(setting_changed)
def _settings_changed(**kwargs: Any) -> None:
    config.cache_clear()


def file_headers(scheme: str) -> list[tuple[str, str]]:
    """The headers our middleware gives a plain page over ``scheme``: the
    middleware itself is run on an empty page, so nothing is written twice."""
    request = WSGIRequest(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "443" if scheme == "https" else "80",
            "wsgi.url_scheme": scheme,
            "wsgi.input": io.BytesIO(),
        }
    )
    if scheme == "https" and settings.SECURE_PROXY_SSL_HEADER:
        header, value = settings.SECURE_PROXY_SSL_HEADER
        request.META[header] = value

    def page(request: Any) -> HttpResponse:
        return HttpResponse(b"", content_type=CONTENT_TYPE)

    handler: Callable[[Any], HttpResponse] = page
    for path in reversed(settings.MIDDLEWARE):
        if path in HEADER_MIDDLEWARE:
            handler = import_string(path)(handler)
    response = handler(request)
    return sorted(
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in NOT_COMPARED
    )


def current_slot() -> int | None:
    """The slot now; None when page files are off."""
    files = config()
    return None if files is None else slot_of(files)


def key_token(generation: store.Generation, slot: int | None) -> str:
    """What page keys hold of the generation: with files on, the slot too."""
    return generation.token if slot is None else f"{generation.token}.{slot}"


def slot_of(files: FilesConfig, now: float | None = None) -> int:
    return int((time.time() if now is None else now) // files.seconds)


def dir_name(generation: store.Generation, slot: int) -> str:
    """Sortable by the generation's time, then the slot."""
    return f"{round(generation.changed_at * 1000):013d}-{slot:010d}-{generation.token}"


def _order(name: str) -> tuple[int, int]:
    try:
        changed, slot, _ = name.split("-", 2)
        return int(changed), int(slot)
    except ValueError:
        return (-1, -1)


def file_path(visit: keys.Visit) -> str | None:
    """Where a visit's page is written, under the current directory; None
    for a visit nginx does not send to files (deploy/nginx.conf's map). The
    method does not count: GET and HEAD share kept pages, and the WSGI
    wrapper remembers this per request without the method."""
    files = config()
    if (
        files is None
        or visit.query
        or keys.key_cookies(visit)
        or visit.scheme != files.scheme
        or len(visit.path) > MAX_PATH_LENGTH
        or not SAFE_PATH.fullmatch(visit.path)
        or not SAFE_HOST.fullmatch(visit.host)
    ):
        return None
    return f"{files.tag}/{visit.scheme}/{visit.host}{visit.path}index.html"


def may_write(page: store.Page) -> bool:
    """A page nginx can serve as a file with the headers it adds."""
    files = config()
    if files is None or page.status != 200:
        return False
    headers = {name.lower(): value for name, value in page.headers}
    if headers.get("content-type") != CONTENT_TYPE:
        return False
    if headers.get("content-encoding", "gzip") != "gzip":
        return False
    compared = sorted(
        (name, value)
        for name, value in page.headers
        if name.lower() not in NOT_COMPARED
    )
    return compared == list(files.headers)


class _Written(NamedTuple):
    """The page keys this process has written into one directory."""

    directory: str
    keys: set[str]


_written = _Written("", set())


def write_page(
    path: str, page: store.Page, generation: store.Generation, slot: int, *, key: str
) -> bool:
    """Write a kept page as its two files (plain and gzip), if the directory
    of its generation and slot is the current one; once per key and
    directory in a process. False when not written."""
    global _written
    files = config()
    if files is None:
        return False
    name = dir_name(generation, slot)
    written = _written
    if written.directory != name:
        written = _written = _Written(name, set())
    if key in written.keys:
        return True
    if len(written.keys) >= MAX_FILES_PER_SLOT:
        return False
    written.keys.add(key)  # tried once, written or not
    if not may_write(page) or not point_current_at(generation, slot):
        return False  # not for a file, or the link has moved past it
    gzipped = any(
        n.lower() == "content-encoding" and v == "gzip" for n, v in page.headers
    )
    plain = gzip.decompress(page.content) if gzipped else page.content
    packed = page.content if gzipped else gzip.compress(plain, compresslevel=6)
    target = files.root / name / path
    modified = generation.last_modified or time.time()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # The .gz first: nginx looks for the plain file, then its .gz.
        _write_atomic(target.with_name(target.name + ".gz"), packed, modified)
        _write_atomic(target, plain, modified)
    except OSError:
        logger.warning("Page files: could not write %s.", target, exc_info=True)
        return False
    return True


def _write_atomic(target: Path, content: bytes, modified: float) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(content)
        os.chmod(temporary, 0o644)  # nginx's user reads it
        os.utime(temporary, (modified, modified))  # its Last-Modified
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def point_current_at(generation: store.Generation, slot: int) -> bool:
    """Make ``current`` the directory of this generation and slot, unless it
    already points past it. True when it points at it."""
    files = config()
    if files is None:
        return False
    name = dir_name(generation, slot)
    link = files.root / CURRENT
    try:
        now_at = os.readlink(link)
    except FileNotFoundError:
        now_at = None
    except OSError:
        logger.warning("Page files: %s is not a symlink.", link)
        return False
    if now_at == name:
        return True
    if now_at is not None and _order(now_at) > _order(name):
        return False
    try:
        (files.root / name).mkdir(parents=True, exist_ok=True)
        temporary = files.root / f".{CURRENT}-{os.getpid()}-{threading.get_ident()}"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(name)
        os.replace(temporary, link)
    except OSError:
        logger.warning("Page files: could not switch %s.", link, exc_info=True)
        return False
    return True


def generation_written(generation: store.Generation) -> None:
    """A new generation: no file of the last one is served from now on."""
    files = config()
    if files is not None:
        point_current_at(generation, slot_of(files))


def remove_page_files() -> int:
    """Remove every directory of page files but the one ``current`` points
    at (``dateline restore``: none of them shows the restored site); returns
    how many were removed. Works whether page files are on or not, so that
    files left from when they were on go too."""
    root = Path(settings.DATELINE_PAGE_FILES_DIR)
    try:
        current = os.readlink(root / CURRENT)
    except OSError:
        current = None
    removed = 0
    try:
        names = [p.name for p in root.iterdir() if p.is_dir() and not p.is_symlink()]
    except OSError:
        return 0
    for name in names:
        if name != current and _order(name) != (-1, -1):
            shutil.rmtree(root / name, ignore_errors=True)
            removed += 1
    return removed


def nginx_include(files: FilesConfig) -> str:
    from dateline.pagecache.middleware import shared_cache_control  # it writes

    lines = [
        "# Written by Dateline from its settings (pagecache/files.py): the",
        "# headers of pages nginx serves from files. Reload nginx after",
        "# changing the settings; until then it sends every request to the app.",
        f"set $dateline_page_headers {files.tag};",
        *(
            f'add_header {name} "{value}" always;'
            for name, value in [
                *files.headers,
                ("Vary", "Cookie, Accept-Encoding"),
                ("Cache-Control", shared_cache_control()),
                ("X-Page-Cache", "file"),
            ]
        ),
    ]
    return "\n".join(lines) + "\n"


# What nginx reads while page files are asked for but cannot be written (the
# page cache is off, or a header cannot be repeated): no directory has this
# name, so every request goes to the app, and nginx still starts.
INCLUDE_WHILE_OFF = """\
# Written by Dateline (pagecache/files.py): page files are off ({why}), so
# nginx finds none and sends every page request to the app.
set $dateline_page_headers none;
"""


def write_include() -> Path | None:
    """Write ``pages/nginx.conf`` for this configuration (if it changed).
    None when ``DATELINE_PAGE_FILES`` is off."""
    if not settings.DATELINE_PAGE_FILES:
        return None
    files = config()
    if files is not None:
        text = nginx_include(files)
    else:
        why = (
            "the page cache is off"
            if not settings.DATELINE_PAGE_CACHE
            else "a header of our pages cannot be written for nginx"
        )
        text = INCLUDE_WHILE_OFF.format(why=why)
    root = Path(settings.DATELINE_PAGE_FILES_DIR)
    target = root / INCLUDE
    root.mkdir(parents=True, exist_ok=True)
    if not target.exists() or target.read_text() != text:
        _write_atomic(target, text.encode(), time.time())
        logger.info("Page files: wrote %s; reload nginx to read it.", target)
    return target


class Keeper(threading.Thread):
    """Keeps ``current`` on the right directory when nothing reaches the app:
    a slot's end, a scheduled item's time, another process's generation. It
    also removes directories no longer in use."""

    def __init__(self) -> None:
        super().__init__(name="dateline-page-files", daemon=True)
        self.retired: dict[str, float] = {}
        self.stopping = threading.Event()
        self.quiet_until = 0.0  # the cache was down: look again after this

    def run(self) -> None:
        while not self.stopping.wait(TICK_SECONDS):
            try:
                self.tick()
            except Exception:  # the thread must live on; the app still answers
                logger.exception("Page files: the keeper's tick failed.")

    def tick(self) -> None:
        files = config()
        if files is None:
            return
        if time.monotonic() < self.quiet_until:
            return
        generation = store.ready_generation()
        if generation is None:  # due, unknown or missing: Django's path
            try:
                generation = store.current_generation()
            except DatabaseFailure as error:
                if not outage.is_unavailable(error):
                    raise
                logger.warning("Page files: the database is unavailable: %s", error)
            finally:
                connections.close_all()  # this thread's, if it opened one
        if generation is None:
            # The cache or the database is down (logged): nothing to switch
            # to, and no warning five times a second meanwhile.
            self.quiet_until = time.monotonic() + DOWN_SECONDS
            return
        point_current_at(generation, slot_of(files))
        self.remove_retired(files)

    def remove_retired(self, files: FilesConfig, now: float | None = None) -> None:
        try:
            current = os.readlink(files.root / CURRENT)
            names = [
                p.name
                for p in files.root.iterdir()
                if p.is_dir() and not p.is_symlink()
            ]
        except OSError:
            return
        now = time.monotonic() if now is None else now
        # Forget what another process removed.
        self.retired = {n: t for n, t in self.retired.items() if n in names}
        for name in names:
            if name == current or _order(name) == (-1, -1):
                continue  # in use, or not a directory of pages
            since = self.retired.setdefault(name, now)
            if now - since >= RETIRED_SECONDS:
                shutil.rmtree(files.root / name, ignore_errors=True)
                del self.retired[name]


_keeper: Keeper | None = None
_keeper_lock = threading.Lock()


def start_keeper() -> Keeper | None:
    """One keeper per process, when page files are on; the include for
    nginx whenever they are asked for."""
    global _keeper
    write_include()
    if config() is None:
        return None
    with _keeper_lock:
        if _keeper is None or not _keeper.is_alive():
            _keeper = Keeper()
            _keeper.start()
    return _keeper
