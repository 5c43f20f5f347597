"""The server in ``make bench``: `dateline serve` against nginx serving a saved
copy of the same pages, with wrk on loopback.

Called by run.py inside its Django setup. Three servers, each loaded by wrk
with the same threads, connections, duration and ``Accept-Encoding: gzip``:

- nginx (Debian's package) serving saved copies of an article page, the home
  page and the news feed as static files, precompressed with gzip: the
  ceiling;
- `dateline serve` alone, as production runs it;
- nginx with a copy of deploy/nginx.conf (page files, micro-cache and all)
  in front of that `dateline serve`, which runs with DATELINE_PAGE_FILES on
  (pagecache/files.py); the article page is also measured through the same
  config with page files off (the micro-cache alone) and with both off.

Everything nginx writes goes under a temporary prefix; nginx runs in the
foreground as a child process. Each load runs REPEATS times, the loads
taking turns (so that the machine's changing load falls on all alike); the
table gives the median and the range of requests/s. BENCH_PAGE_CACHE=on|off sets the
page cache of the `dateline serve` under test (DATELINE_PAGE_CACHE in its
environment); the article page is also measured once more with it off, for
the cold budget.

Then, on the server with the page cache off, readers' latency as served
(served.py): each feed-type page of run.py's ``pages_to_measure()`` and each
query of its ``searches_to_measure()`` asked for one request at a time over
HTTP, p50/p95/p99 against the in-process budgets, then a few feeds and API
calls. The memory of the whole server (granian's main process and each
worker, resident now and peak, MiB, from /proc) is read at start, after the
wrk loads, and after each served part, against DESIGN.md §5: a worker ≤ 120
MiB, the main process and two workers ≤ 300 MiB. Standalone: ``python
bench/run.py`` with BENCH_PARTS=serve and BENCH_DATA_DIR pointing at an
existing data directory (the demo's).
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, NamedTuple

import served

ROOT = Path(__file__).resolve().parents[1]
DEPLOY_CONF = ROOT / "deploy" / "nginx.conf"
SECONDS = int(os.environ.get("BENCH_SERVE_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_SERVE_CONNECTIONS", "32"))
THREADS = 2
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
PAGE_CACHE = os.environ.get("BENCH_PAGE_CACHE", "on")
# How the harness switches the page cache of `dateline serve`.
PAGE_CACHE_VARIABLE = "DATELINE_PAGE_CACHE"
BUDGET_ALONE = 0.25  # warm article page, dateline serve ÷ nginx static
BUDGET_PROXIED = 0.8  # warm article page behind deploy/nginx.conf ÷ nginx static
BUDGET_PAGES = 0.8  # home and feed ÷ article page
BUDGET_COLD = 1000.0  # requests/s, article page, page cache off
MANY_ARTICLES = 1000  # the cold load over many items asks for this many in turn

STATIC_CONF = """\
{user}pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log;
daemon off;
worker_processes auto;
events {{ worker_connections 1024; }}
http {{
  access_log off;
{temps}
  default_type text/html;
  sendfile on;
  tcp_nopush on;
  server {{
    listen 127.0.0.1:{port};
    root {prefix}/pages;
    gzip_static on;
    gzip_vary on;
  }}
}}
"""
PROXY_CONF = """\
{user}pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log;
daemon off;
worker_processes auto;
events {{ worker_connections 1024; }}
http {{
  include /etc/nginx/mime.types;
  access_log off;
{temps}
  # As in Debian's stock nginx.conf, whose http block deploy/nginx.conf joins.
  sendfile on;
  tcp_nopush on;
  include {prefix}/site.conf;
}}
"""


def find_nginx() -> str | None:
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


def run(data_dir: Path) -> list[str]:
    """The section of the results: the table and the budgets."""
    head = ["", "## dateline serve and nginx", ""]
    wrk, nginx = shutil.which("wrk"), find_nginx()
    missing = [
        f"{name} is not installed (`apt-get install {name}`)"
        for name, found in (("wrk", wrk), ("nginx", nginx))
        if found is None
    ]
    if missing:
        return [*head, "Not measured: " + "; ".join(missing) + "."]
    # Stopped from outside, still stop the servers (the with blocks below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench: stopped"))
    if wrk is None or nginx is None:  # for the type checker
        return head
    pages = _pages()
    with tempfile.TemporaryDirectory(prefix="dateline-bench-serve-") as tmp:
        temp = Path(tmp)
        app_port, static_port, proxy_port, cached_port, bare_port = _free_ports(5)
        env = _app_env(data_dir, cache=PAGE_CACHE) | {"DATELINE_PAGE_FILES": "true"}
        memory: dict[str, served.Memory] = {}
        latency: list[dict[str, Any]] = []
        with _child(_serve_command(app_port), temp / "serve.log", env) as app:
            _wait_for(app_port, "dateline serve", app)
            memory[f"page cache {PAGE_CACHE}: at start"] = served.memory(
                app.process.pid
            )
            _save_copies(app_port, pages, temp / "static" / "pages")
            static = _nginx_static(nginx, temp / "static", static_port)
            proxy = _nginx_proxy(nginx, temp / "proxy", proxy_port, app_port, data_dir)
            cached = _nginx_proxy(
                nginx, temp / "cached", cached_port, app_port, data_dir, files=False
            )
            bare = _nginx_proxy(
                nginx, temp / "bare", bare_port, app_port, data_dir, cache=False,
                files=False,
            )  # fmt: skip
            with (
                _child(static, temp / "nginx-static.log") as static_nginx,
                _child(proxy, temp / "nginx-proxy.log") as proxy_nginx,
                _child(cached, temp / "nginx-cached.log") as cached_nginx,
                _child(bare, temp / "nginx-bare.log") as bare_nginx,
            ):
                _wait_for(static_port, "nginx (static)", static_nginx)
                _wait_for(proxy_port, "nginx (proxy)", proxy_nginx)
                _wait_for(cached_port, "nginx (proxy, no page files)", cached_nginx)
                _wait_for(bare_port, "nginx (proxy, no cache)", bare_nginx)
                x_cache = _x_cache(proxy_port, pages["article page"])
                jobs = [
                    _Job(server, page, port, _copy_name(page) if static else url)
                    for server, port, static in (
                        ("nginx, static copy", static_port, True),
                        (f"dateline serve (page cache {PAGE_CACHE})", app_port, False),
                        ("nginx → dateline serve", proxy_port, False),
                    )
                    for page, url in pages.items()
                ]
                # The micro-cache alone; then the proxy's own cost, without
                # the micro-cache and its lock.
                jobs += [
                    _Job(server, "article page", port, pages["article page"])
                    for server, port in (
                        ("nginx → dateline serve, page files off", cached_port),
                        (
                            "nginx → dateline serve, page files and micro-cache off",
                            bare_port,
                        ),
                    )
                ]
                rows = _load_in_turn(wrk, jobs)
            memory[f"page cache {PAGE_CACHE}: after the wrk loads"] = served.memory(
                app.process.pid
            )
            if PAGE_CACHE == "off":
                latency = served.run(app_port, app.process.pid, memory)
        cold = None
        if PAGE_CACHE != "off":
            env = _app_env(data_dir, cache="off")
            with _child(_serve_command(app_port), temp / "serve-cold.log", env) as app:
                _wait_for(app_port, "dateline serve", app)
                memory["page cache off: at start"] = served.memory(app.process.pid)
                # The same, each request for another item: nothing of one
                # item's page can help the next.
                script = _cycle_script(temp / "articles.lua", _article_paths())
                server = "dateline serve (page cache off)"
                many = f"article pages, {MANY_ARTICLES:,} items in turn"
                cold_rows = _load_in_turn(
                    wrk,
                    [
                        _Job(server, "article page", app_port, pages["article page"]),
                        _Job(server, many, app_port, "/", script),
                    ],
                )
                cold = cold_rows[0]
                rows += cold_rows
                memory["page cache off: after the cold wrk loads"] = served.memory(
                    app.process.pid
                )
                latency = served.run(app_port, app.process.pid, memory)
        else:
            cold = rows[3]
        kept = _keep_logs(temp) if any(r["errors"] for r in rows) else None
    notes = (
        ["", f"Some loads had errors; the servers' logs are in {kept}."] if kept else []
    )
    return (
        head
        + _report(rows, pages, cold, x_cache)
        + served.report(latency, memory)
        + notes
    )


def _keep_logs(temp: Path) -> Path:
    """The servers' logs, copied out of the temporary directory."""
    kept = ROOT / "var" / "bench" / f"serve-logs-{time.strftime('%Y%m%dT%H%M%S')}"
    kept.mkdir(parents=True)
    for log in temp.rglob("*.log"):
        shutil.copy(log, kept / "-".join(log.relative_to(temp).parts))
    return kept


def _pages() -> dict[str, str]:
    from dateline.content.models import Article

    article = (
        Article.objects.public()
        .select_related("section")
        .order_by("-published_at", "-id")
        .first()
    )
    if article is None:
        raise SystemExit("bench: no public item to serve; load the demo first")
    return {
        "article page": article.get_absolute_url(),
        "home page": "/",
        "news feed": "/news/",
    }


def _copy_name(page: str) -> str:
    return "/" + page.replace(" ", "-") + ".html"


def _app_env(data_dir: Path, *, cache: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATELINE_DATA_DIR": str(data_dir),
        "DATELINE_ALLOWED_HOSTS": "127.0.0.1",
        "DATELINE_PROXY_HOPS": "1",
        PAGE_CACHE_VARIABLE: cache,
    }
    # The engine is run.py's choice: DATELINE_DATABASE_URL is set there for
    # a PostgreSQL archive and removed for SQLite, so the servers read the
    # archive the in-process parts measured.
    return env


def _serve_command(port: int) -> list[str]:
    return [
        sys.executable, "-m", "dateline", "serve",
        "--port", str(port), "--no-collectstatic",
    ]  # fmt: skip


class _child:  # noqa: N801 - used as a context manager, like open()
    """A child process, its output in a log file (read if it fails to start),
    stopped (TERM, then KILL) on leaving the block."""

    def __init__(
        self, command: list[str], log: Path, env: dict[str, str] | None = None
    ) -> None:
        self.log = log
        self.output = log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own commands
            command,
            env=env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def __enter__(self) -> _child:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.output.close()


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _wait_for(port: int, what: str, child: _child) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        if child.process.poll() is not None:
            said = child.log.read_text(errors="replace")[-2000:]
            raise SystemExit(f"bench: {what} stopped at start:\n{said}")
        time.sleep(0.2)
    raise SystemExit(f"bench: {what} did not start on port {port}")


def _get(port: int, path: str, **headers: str) -> tuple[dict[str, str], bytes]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={"Accept-Encoding": "identity", **headers},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return dict(answer.headers), answer.read()


def _save_copies(port: int, pages: dict[str, str], into: Path) -> None:
    """Each page as the app serves it, saved beside a gzip copy (level 9,
    as whitenoise and most build steps make them)."""
    into.mkdir(parents=True)
    for page, url in pages.items():
        _, body = _get(port, url)
        target = into / _copy_name(page).lstrip("/")
        target.write_bytes(body)
        target.with_suffix(".html.gz").write_bytes(gzip.compress(body, 9))


def _temps(prefix: Path) -> str:
    for name in ("logs", "tmp"):
        (prefix / name).mkdir(parents=True, exist_ok=True)
    return "\n".join(
        f"  {kind}_temp_path {prefix / 'tmp' / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )


def _user() -> str:
    """Started by root, nginx's workers would run as nobody, who cannot read
    our private temporary directory."""
    return "user root root;\n" if os.geteuid() == 0 else ""


def _nginx_command(nginx: str, prefix: Path) -> list[str]:
    return [
        nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
        "-e", str(prefix / "logs" / "error.log"),
    ]  # fmt: skip


def _nginx_static(nginx: str, prefix: Path, port: int) -> list[str]:
    (prefix / "nginx.conf").write_text(
        STATIC_CONF.format(user=_user(), prefix=prefix, port=port, temps=_temps(prefix))
    )
    return _nginx_command(nginx, prefix)


def deploy_variant(*, port: int, upstream: int, data_dir: Path, cache: Path) -> str:
    """deploy/nginx.conf with its CHANGE values pointed at this machine's
    loopback ports and temporary directories."""
    text = DEPLOY_CONF.read_text()
    for old, new in [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
        ("/var/cache/nginx/dateline", str(cache)),
        ("root /srv/dateline/var;", f"root {data_dir};"),
        ("/srv/dateline/var/pages/nginx.conf", str(data_dir / "pages" / "nginx.conf")),
        ("server_name news.example.com;", "server_name 127.0.0.1;"),
        ("listen [::]:80 default_server;", ""),
        ("listen [::]:80;", ""),
        ("listen 80", f"listen 127.0.0.1:{port}"),
    ]:
        if old not in text:
            raise SystemExit(f"bench: deploy/nginx.conf no longer has {old!r}")
        text = text.replace(old, new)
    return text


def _nginx_proxy(
    nginx: str,
    prefix: Path,
    port: int,
    upstream: int,
    data_dir: Path,
    *,
    cache: bool = True,
    files: bool = True,
) -> list[str]:
    temps = _temps(prefix)
    site = deploy_variant(
        port=port, upstream=upstream, data_dir=data_dir, cache=prefix / "cache"
    )
    for wanted, old, new in [
        (cache, "proxy_cache dateline;", "proxy_cache off;"),
        (files, '"GET||"  current;', '"GET||"  none;'),
    ]:
        if not wanted:
            if old not in site:
                raise SystemExit(f"bench: deploy/nginx.conf no longer has {old!r}")
            site = site.replace(old, new)
    (prefix / "site.conf").write_text(site)
    (prefix / "nginx.conf").write_text(
        PROXY_CONF.format(user=_user(), prefix=prefix, temps=temps)
    )
    return _nginx_command(nginx, prefix)


def _x_cache(port: int, path: str) -> str:
    """Who answered two requests in a row: a page file, or the micro-cache."""
    seen = []
    for _ in range(2):
        headers = _get(port, path, **{"Accept-Encoding": "gzip"})[0]
        if headers.get("X-Page-Cache") == "file":
            seen.append("a page file")
        else:
            seen.append("the micro-cache " + headers.get("X-Cache", "(none)"))
    return ", then ".join(seen)


def _article_paths() -> list[str]:
    from dateline.content.models import Article

    newest = (
        Article.objects.public()
        .select_related("section")
        .order_by("-published_at", "-id")[:MANY_ARTICLES]
    )
    return [article.get_absolute_url() for article in newest]


def _cycle_script(script: Path, paths: list[str]) -> Path:
    """A wrk script that asks for each path in turn, on every connection."""
    listed = ",\n".join(f'  "{path}"' for path in paths)
    script.write_text(
        f"local paths = {{\n{listed}\n}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\n'
        "end\n"
    )
    return script


class _Job(NamedTuple):
    """One load: a row of the table."""

    server: str
    page: str
    port: int
    path: str
    script: Path | None = None


def _load_in_turn(wrk: str, jobs: list[_Job]) -> list[dict[str, Any]]:
    """Each job warmed up, then loaded REPEATS times, the jobs taking turns:
    a change in the machine's load (it is shared) falls on every server
    alike, not on whichever was measured at that moment."""
    for job in jobs:
        _wrk(wrk, job, seconds=2)
    runs: list[list[dict[str, Any]]] = [[] for _ in jobs]
    for _ in range(REPEATS):
        for job, done in zip(jobs, runs, strict=True):
            load = os.getloadavg()[0]
            done.append({"load": load, **_parse(_wrk(wrk, job, seconds=SECONDS))})
    return [
        {"server": job.server, "page": job.page, **_summary(job, done)}
        for job, done in zip(jobs, runs, strict=True)
    ]


def _wrk(wrk: str, job: _Job, *, seconds: int) -> str:
    command = [
        wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency",
        "--timeout", "10s", "-H", "Accept-Encoding: gzip",
        *(["-s", str(job.script)] if job.script else []),
        f"http://127.0.0.1:{job.port}{job.path}",
    ]  # fmt: skip
    return subprocess.run(  # noqa: S603 - wrk, found on PATH
        command, capture_output=True, text=True, check=True
    ).stdout


def _summary(job: _Job, runs: list[dict[str, Any]]) -> dict[str, Any]:
    rates = [r["rate"] for r in runs]
    middle = sorted(runs, key=lambda r: r["rate"])[len(runs) // 2]
    sys.stderr.write(
        f"  serve, {job.server}, {job.page}: {statistics.median(rates):,.0f} req/s\n"
    )
    return {
        "rate": statistics.median(rates),
        "low": min(rates),
        "high": max(rates),
        "p50": middle["p50"],
        "p99": middle["p99"],
        "errors": sum(r["errors"] for r in runs),
        "loads": [r["load"] for r in runs],
        "kb": middle["kb"],
    }


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if found is None:
        raise SystemExit(f"bench: wrk printed a latency I cannot read: {text}")
    return float(found.group(1)) * _UNITS[found.group(2)]


def _parse(out: str) -> dict[str, Any]:
    def find(pattern: str) -> str:
        found = re.search(pattern, out, re.MULTILINE)
        if found is None:
            raise SystemExit(f"bench: wrk's output lacks {pattern!r}:\n{out}")
        return found.group(1)

    requests = int(find(r"(\d+) requests in"))
    transferred = find(r"requests in [^,]+, ([\d.]+\w+) read")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"timeout (\d+)", out)
    return {
        "rate": float(find(r"Requests/sec:\s+([\d.]+)")),
        "p50": _ms(find(r"^\s+50%\s+(\S+)")),
        "p99": _ms(find(r"^\s+99%\s+(\S+)")),
        "errors": (int(errors.group(1)) if errors else 0)
        + (int(socket_errors.group(1)) if socket_errors else 0),
        "kb": _kb(transferred) / max(requests, 1),
    }


def _kb(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)([KMG]?B)", text)
    if found is None:
        return 0.0
    scale = {"B": 1 / 1024, "KB": 1, "MB": 1024, "GB": 1024 * 1024}[found.group(2)]
    return float(found.group(1)) * scale


def _report(
    rows: list[dict[str, Any]],
    pages: dict[str, str],
    cold: dict[str, Any],
    x_cache: str,
) -> list[str]:
    static = {
        r["page"]: r["rate"] for r in rows if r["server"].startswith("nginx, static")
    }
    loads = [load for r in rows for load in r["loads"]]
    lines = [
        f"wrk on loopback: {THREADS} threads, {CONNECTIONS} connections, {SECONDS} s, "
        f"`Accept-Encoding: gzip`, each load {REPEATS} times, the loads in turn (median, and the range "
        f"of requests/s); a 2 s warm-up first. Pages: "
        + ", ".join(f"{page} `{url}`" for page, url in pages.items())
        + ". `dateline serve` runs with its defaults "
        f"({max(2, os.cpu_count() or 1)} workers); nginx with `worker_processes auto`. "
        f"Servers, wrk and everything else on the machine share its "
        f"{os.cpu_count()} cores; the load average during the runs was "
        f"{min(loads):.1f}–{max(loads):.1f}. Behind deploy/nginx.conf the article "
        f"page came from {x_cache}.",
        "",
        "| server | page | req/s | range | p50 ms | p99 ms | KB per answer | "
        "÷ nginx static | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        against = static.get(r["page"])
        ratio = f"{r['rate'] / against:.3f}x" if against else "–"
        lines.append(
            f"| {r['server']} | {r['page']} | {r['rate']:,.0f} | "
            f"{r['low']:,.0f}–{r['high']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} | "
            f"{r['kb']:.1f} | {ratio} | {r['errors']} |"
        )
    alone = {
        r["page"]: r["rate"]
        for r in rows
        if r["server"].startswith("dateline serve (page cache " + PAGE_CACHE)
    }
    proxied = {
        r["page"]: r["rate"] for r in rows if r["server"] == "nginx → dateline serve"
    }
    article = "article page"

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    ratio_alone = alone[article] / static[article]
    ratio_proxied = proxied[article] / static[article]
    warm = "warm" if PAGE_CACHE != "off" else "cold (page cache off)"
    lines += [
        "",
        "Budgets (DESIGN.md §5):",
        f"- {warm} article page, `dateline serve` alone ≥ {BUDGET_ALONE}x nginx "
        f"static: {ratio_alone:.3f}x — {verdict(ratio_alone >= BUDGET_ALONE)}",
        f"- {warm} article page behind deploy/nginx.conf ≥ {BUDGET_PROXIED}x nginx "
        f"static: {ratio_proxied:.3f}x — {verdict(ratio_proxied >= BUDGET_PROXIED)}",
    ]
    for page in ("home page", "news feed"):
        ratio = alone[page] / alone[article]
        lines.append(
            f"- {page} ≥ {BUDGET_PAGES}x the article page (`dateline serve` alone): "
            f"{ratio:.2f}x — {verdict(ratio >= BUDGET_PAGES)}"
        )
    lines.append(
        f"- cold article page (page cache off) ≥ {BUDGET_COLD:,.0f} req/s: "
        f"{cold['rate']:,.0f} — {verdict(cold['rate'] >= BUDGET_COLD)}"
    )
    return lines
