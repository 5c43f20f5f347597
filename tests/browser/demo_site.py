"""The demo agency, served as readers get it, for the browser tests.

``dateline demo`` loads the agency into a data dir of its own on SQLite
(whatever engine the suite runs on), ``collectstatic`` gathers the hashed
static files and ``dateline serve`` answers on 127.0.0.1 on a free port: the
production server with the page cache, whitenoise and the strict CSP, as in
tests/pagecache/test_processes.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tests.pagecache.test_processes import free_port, site_env

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

HOST = "127.0.0.1"

# What the tests need to know of the demo's content, asked of the site's own
# selectors rather than guessed from the data files.
ASK_PATHS = """
import json
from dateline.content.models import Article, Gallery, TopStory
from dateline.content.selectors import navigation_sections
lead = (TopStory.objects.filter(section=None, article__in=Article.objects.public())
        .select_related("article__section").first())
gallery = Gallery.objects.public().newest_first().first()
print(json.dumps({
    "article": lead.article.get_absolute_url(),
    "section": lead.article.section.get_absolute_url(),
    "gallery": gallery.get_absolute_url(),
    "gallery_photos": gallery.photos.count(),
    "sections": [section.get_absolute_url() for section in navigation_sections()],
}))
"""


@dataclass(frozen=True)
class DemoSite:
    base: str
    article: str  # the home page's lead story
    section: str  # its section's front
    gallery: str  # the newest gallery
    gallery_photos: int
    sections: tuple[str, ...]  # every section's front, in the bar's order

    def url(self, path: str) -> str:
        return self.base + path


def dateline(env: dict[str, str], *args: str) -> str:
    """Run ``dateline`` in the demo's environment; its output, or a failure
    that shows what it printed."""
    result = subprocess.run(
        [sys.executable, "-m", "dateline", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"dateline {' '.join(args)} exited {result.returncode}:\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )
    return result.stdout


@contextmanager
def served_demo(data_dir: Path) -> Iterator[DemoSite]:
    """Load the demo into ``data_dir`` and serve it until the block ends."""
    env = site_env(data_dir)
    dateline(env, "migrate", "--noinput", "-v", "0")
    dateline(env, "demo")
    dateline(env, "collectstatic", "--noinput", "-v", "0")
    paths = json.loads(dateline(env, "shell", "-v", "0", "-c", ASK_PATHS))
    # Taken just before the server binds it: no other process has had the
    # demo's half minute to take it meanwhile.
    port = free_port()
    base = f"http://{HOST}:{port}"
    log_path = data_dir / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "dateline", "serve", "--host", HOST,
             "--port", str(port), "--workers", "2", "--no-collectstatic"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_until_answering(base, server, log_path)
        yield DemoSite(
            base=base,
            article=paths["article"],
            section=paths["section"],
            gallery=paths["gallery"],
            gallery_photos=paths["gallery_photos"],
            sections=tuple(paths["sections"]),
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_answering(
    base: str, server: subprocess.Popen[bytes], log_path: Path
) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            with urllib.request.urlopen(base + "/robots.txt", timeout=5):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(
        f"dateline serve did not answer on {base}:\n{log_path.read_text()[-4000:]}"
    )
