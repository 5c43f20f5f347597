"""Instructions a page costs, counted by callgrind: a figure that does not
move with the machine's load, for comparing two versions of the code when
requests/s and even CPU time wander by the quarter hour.

    python bench/instructions.py [PATH ...]

reads the site named by DATELINE_DATABASE_URL and DATELINE_DATA_DIR (a bench
archive, the demo's), with the page cache off, and prints the instructions
per request of PAGES requests through the WSGI application (the middleware,
the view, the template, gzip), by default for PAGES different article pages
in turn. The requests are made inside ``functools.reduce`` and callgrind
collects only inside it (``--toggle-collect``), so start-up and warm-up are
not counted. valgrind (Debian's) runs Python about 50 times slower: 150
pages take three or four minutes. Not a test and not part of ``make bench``.
DJANGO_SETTINGS_MODULE may name a settings module that imports Dateline's
and changes one thing, to count what that thing costs.
"""

from __future__ import annotations

import functools
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PAGES = int(os.environ.get("BENCH_PAGES", "150"))
WARM_UP = 20
INSIDE = "DATELINE_INSTRUCTIONS_INSIDE"


def main() -> None:
    if os.environ.get(INSIDE):
        count(sys.argv[1:])
        return
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    with tempfile.TemporaryDirectory(prefix="dateline-instructions-") as tmp:
        command = [
            valgrind, "--tool=callgrind", "--collect-atstart=no",
            "--toggle-collect=functools_reduce",
            f"--callgrind-out-file={Path(tmp) / 'callgrind.out'}",
            sys.executable, __file__, *sys.argv[1:],
        ]  # fmt: skip
        result = subprocess.run(  # noqa: S603 - valgrind, found on PATH
            command,
            env={**os.environ, INSIDE: "1"},
            capture_output=True,
            text=True,
            check=False,
        )
    collected = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode or collected is None:
        sys.exit(result.stderr[-2000:] or "callgrind collected nothing")
    sys.stdout.write(f"{int(collected.group(1)) / PAGES:,.0f} instructions a request\n")


def count(paths: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")
    os.environ["DATELINE_PAGE_CACHE"] = "false"
    from dateline.wsgi import application

    if not paths:
        from dateline.content.models import Article

        public = Article.objects.public().select_related("section")
        paths = [a.get_absolute_url() for a in public.order_by("-published_at")[:PAGES]]
    asked = [paths[i % len(paths)] for i in range(PAGES)]

    def ask(_: object, path: str) -> None:
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1", "HTTP_ACCEPT_ENCODING": "gzip",
            "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
        }  # fmt: skip
        status: list[str] = []
        b"".join(application(environ, lambda s, h, e=None: status.append(s)))
        if not status[0].startswith("200"):
            sys.exit(f"{path}: {status[0]}")

    for path in asked[:WARM_UP]:  # the fragments and blocks, made once
        ask(None, path)
    functools.reduce(ask, asked, None)  # counted


if __name__ == "__main__":
    main()
