"""``make bench``: pages, search and most read on a 1M-item archive.

Builds the archive once with ``dateline generate`` into a database of its own
under var/bench/ and reuses it afterwards (BENCH_ARTICLES sets its size,
1,000,000 by default). Requests go in-process through Django's test client,
with the page cache off, so this is the cold cost of the view, templates and
queries, without network or server overhead (the blocks around a page are
kept per site generation, as in production, see docs/decisions/fragments.md).

Each page is measured in REPEATS rounds of ROUNDS requests; the table gives the
median of the rounds' p50 and p95 and the spread of the p95s, so that the
machine's noise shows. Most read is measured by most_read.py, the server
against nginx by serve.py. BENCH_PARTS picks parts
(pages,search,syndication,api,most_read,serve). BENCH_DATA_DIR measures an
existing data directory instead (the demo's, say) and generates nothing.

BENCH_DATABASE_URL=postgres://user@host:port/NAME runs every part on
PostgreSQL instead of SQLite: the archive goes into a database of its own on
that server, NAME_<size>k (created when missing, kept between runs, built
with COPY as ``dateline generate`` does), with its files under
var/bench/postgresql-NAME_<size>k. Prints the tables and writes them to
bench/results/, with the figures in var/bench/figures/ for the comparison of
engines and archive sizes (bench/compare.py).
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import figures
from engines import (
    archive_database_url,
    create_database,
    describe_engine,
    search_index_mb,
    size_label,
)

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = int(os.environ.get("BENCH_ARTICLES", "1000000"))
# PostgreSQL: the server and the name the archives' databases start with.
SERVER_URL = os.environ.get("BENCH_DATABASE_URL", "")
ARCHIVE_URL = archive_database_url(SERVER_URL, ARTICLES) if SERVER_URL else ""
ENGINE = "postgresql" if SERVER_URL else "sqlite"
ENGINE_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
DATA_DIR = Path(
    os.environ.get("BENCH_DATA_DIR")
    or ROOT
    / "var"
    / "bench"
    / (
        f"postgresql-{urlsplit(ARCHIVE_URL).path.lstrip('/')}"
        if ARCHIVE_URL
        else f"archive-{ARTICLES}"
    )
).resolve()
FIGURES_DIR = ROOT / "var" / "bench" / "figures"
GENERATE = not os.environ.get("BENCH_DATA_DIR")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
DEEP_ITEMS = 10_000  # how far down the feed the deep page starts
# Which parts to run: pages, search, syndication, api, most_read, serve (all by default).
ALL_PARTS = {"pages", "search", "syndication", "api", "most_read", "serve"}
PARTS = set(os.environ.get("BENCH_PARTS", ",".join(sorted(ALL_PARTS))).split(","))
SEED = 20261125
BUDGET_FEED_P95_MS = 15.0
BUDGET_DEEP_RATIO = 1.5
BUDGET_ARTICLE_P50_MS = 10.0
BUDGET_SEARCH_P95_MS = 50.0
REINDEX_RECORD = DATA_DIR / "reindex.txt"  # seconds and date of the last full reindex
# Page or query name → in-process p95 ms, shown beside the served figures (served.py).
IN_PROCESS_P95: dict[str, float] = {}

os.environ["DATELINE_DATA_DIR"] = str(DATA_DIR)
os.environ.pop("DATELINE_DATABASE_URL", None)
if ARCHIVE_URL:  # the servers the serve and most-read parts start read it too
    os.environ["DATELINE_DATABASE_URL"] = ARCHIVE_URL
# In-process parts measure the views themselves: no page cache. (Fragments,
# kept per generation, stay on: they are the product's uncached path. The
# serve part starts its servers with the page cache on and off itself.)
os.environ["DATELINE_PAGE_CACHE"] = "false"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")


def build_archive() -> float | None:
    """Make the archive unless it is there; return the build time if built."""
    from django.core.management import call_command

    from dateline.content.models import Article

    call_command("migrate", verbosity=0, interactive=False)
    have = Article.objects.count()
    if have >= ARTICLES or not GENERATE:
        return None
    start = time.perf_counter()
    call_command("generate", articles=ARTICLES - have, seed=SEED + have)
    return time.perf_counter() - start


def pages_to_measure() -> dict[str, tuple[list[str], bool]]:
    """Page name → (URLs to cycle through, is a feed-type page)."""
    from busiest import busiest

    from dateline.content.models import Article, Section
    from dateline.feed.cursor import Cursor, encode_cursor

    public = Article.objects.public()
    depth = min(DEEP_ITEMS, public.count() // 2)  # small trial archives
    deep = public.order_by("-published_at", "-id").only("id", "published_at")[depth]
    deep_token = encode_cursor(Cursor.after(deep))
    sections = list(Section.objects.order_by("position"))
    subjects = busiest()
    articles = [
        a.get_absolute_url()
        for a in public.select_related("section").order_by("-published_at", "-id")[
            1000:1200
        ]
    ]
    filtered = ",".join(s.slug for s in sections[1:3])
    return {
        "feed page 1": (["/news/"], True),
        f"feed page at item {depth:,}": ([f"/news/?before={deep_token}"], True),
        "filtered feed (2 sections)": ([f"/news/?sections={filtered}"], True),
        "section page": ([sections[0].get_absolute_url()], True),
        "topic page (busiest)": ([f"/topics/{subjects.topic}/"], True),
        "person page (busiest)": ([f"/persons/{subjects.person}/"], True),
        "topic index (this week's busiest first)": (["/topics/"], False),
        "home page": (["/"], False),
        "article page": (articles, False),
    }


def searches_to_measure() -> dict[str, list[str]]:
    """Query kind → search URLs. The words come from the generator's vocabulary."""
    from django.db.models import Count
    from django.utils.http import urlencode

    from dateline.content.models import ArticlePerson, Section

    # A rare word: the surname of a person in about a hundred items.
    rare = (
        ArticlePerson.objects.values("person__name")
        .annotate(n=Count("id"))
        .filter(n__gte=50, n__lte=200)
        .order_by("n", "person__name")
        .first()
    )
    economy = Section.objects.filter(slug="economy").first()
    if rare is None or economy is None:
        raise SystemExit("bench: the archive has no rare person or economy section")
    year_ago = (datetime.now(UTC).date().replace(day=1)).replace(
        year=datetime.now(UTC).year - 1
    )

    def url(**params: str) -> str:
        return "/search/?" + urlencode(params)

    return {
        "common word (government)": [url(q="government")],
        "common word, by date": [url(q="government", sort="date")],
        f"rare word ({rare['person__name'].split()[-1]})": [
            url(q=rare["person__name"].split()[-1])
        ],
        "two words (wind farm)": [url(q="wind farm")],
        'phrase ("news conference")': [url(q='"news conference"')],
        "filtered (economy, past year)": [
            url(q="government", sections=economy.slug, **{"from": str(year_ago)})
        ],
        "Russian (санкциями)": [url(q="санкциями")],
    }


def index_figures() -> tuple[float, str, str]:
    """The search index's size on disk (MB), what it is made of, and the
    last full reindex time."""
    from django.core.management import call_command

    size_mb, what = search_index_mb()
    asked = os.environ.get("BENCH_REINDEX", "")
    if asked == "0" and not REINDEX_RECORD.exists():
        return size_mb, what, "not measured (BENCH_REINDEX=0)"
    if asked not in {"", "0"} or not REINDEX_RECORD.exists():
        start = time.perf_counter()
        call_command("reindex", "--no-progress", verbosity=0)
        seconds = time.perf_counter() - start
        REINDEX_RECORD.write_text(f"{seconds:.1f} {datetime.now(UTC):%Y-%m-%d}\n")
    seconds_text, day = REINDEX_RECORD.read_text().split()
    return size_mb, what, f"{float(seconds_text) / 60:.1f} min (measured {day})"


def measure(
    urls: list[str], **headers: str
) -> tuple[list[float], list[float], set[int], int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dateline.core.launch import tune_collector

    client = Client(**headers)
    for url in urls[:20]:  # warm imports, templates and the page cache of SQLite
        _expect_ok(client.get(url), url)
    # The collector as a serving worker has it (frozen after loading, young
    # passes every 10,000 objects); what this process gathered in the parts
    # before is frozen too, as a worker's loaded application is.
    tune_collector()
    p50s, p95s, queries, size = [], [], set(), 0
    for _ in range(REPEATS):
        timings = []
        for i in range(ROUNDS):
            url = urls[i % len(urls)]
            # The log holds the latest 9,000 queries: once full, a capture
            # would count none, so each request starts it empty.
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - start
            _expect_ok(response, url)
            timings.append(elapsed * 1000)
            queries.add(len(captured))
            size = len(response.content)
        timings.sort()
        p50s.append(statistics.median(timings))
        p95s.append(timings[int(len(timings) * 0.95) - 1])
    return p50s, p95s, queries, size


def main() -> None:
    import django

    if ARCHIVE_URL and GENERATE:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        create_database(ARCHIVE_URL)
    django.setup()
    from django.core.management import call_command

    from dateline.content.models import Article

    build_seconds = build_archive()
    call_command("collectstatic", verbosity=0, interactive=False)
    total = Article.objects.count()
    public = Article.objects.public().count()
    stamp = datetime.now(UTC)
    lines = [
        f"# Dateline at {total:,} items on {ENGINE_NAMES[ENGINE]}, "
        f"{stamp:%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {describe_engine(DATA_DIR)}. "
        + (
            f"Archive: {total:,} items ({public:,} public) from `dateline generate "
            f"--seed {SEED}`"
            + (
                f", built in {build_seconds / 60:.1f} min"
                if build_seconds
                else ", reused"
            )
            if GENERATE
            else f"Data: {total:,} items ({public:,} public) in {DATA_DIR}"
        )
        + ".",
    ]
    if "pages" in PARTS:
        lines += _pages_section()
    if "search" in PARTS:
        lines += _search_section(total)
    if "syndication" in PARTS:
        import syndication

        lines += syndication.run(measure)
    if "api" in PARTS:
        import api

        lines += api.run(measure)
    if "most_read" in PARTS:
        import most_read

        lines += most_read.run(DATA_DIR)
    if "serve" in PARTS:
        import serve

        lines += serve.run(DATA_DIR)
    table = "\n".join(lines) + "\n"
    # A run of some parts only gets a file of its own, named for them.
    parts = "" if PARTS >= ALL_PARTS else "-" + "-".join(sorted(PARTS))
    size = f"-{size_label(total)}" if {"serve"} != PARTS else ""
    name = f"{stamp:%Y-%m-%d}-bench-{ENGINE}{size}{parts}"
    out = ROOT / "bench" / "results" / f"{name}.md"
    for again in range(2, 100):  # an earlier run of the day is kept
        if not out.exists():
            break
        out = out.with_name(f"{name}-{again}.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table)
    figures.save(
        FIGURES_DIR / f"{ENGINE}-{size_label(total)}.json",
        engine=ENGINE_NAMES[ENGINE],
        articles=total,
        described=describe_engine(DATA_DIR),
    )
    sys.stdout.write(f"{table}\nwritten to {out.relative_to(ROOT)}\n")


def _measured(urls: list[str]) -> dict[str, Any]:
    p50s, p95s, queries, size = measure(urls)
    return {
        "p50": statistics.median(p50s),
        "p95": statistics.median(p95s),
        "p95_range": (min(p95s), max(p95s)),
        "queries": "/".join(str(q) for q in sorted(queries)),
        "kb": size // 1024,
    }


def _pages_section() -> list[str]:
    from django.test.utils import override_settings

    rows: list[dict[str, Any]] = []
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for name, (urls, is_feed) in pages_to_measure().items():
            rows.append({"name": name, "feed": is_feed, **_measured(urls)})
            figures.record("pages", name, rows[-1]["p95"])
            IN_PROCESS_P95[name] = rows[-1]["p95"]
            sys.stderr.write(f"  {name}: p95 {rows[-1]['p95']:.2f} ms\n")
    page1 = rows[0]["p95"]
    deep = rows[1]["p95"]
    worst_feed = max(r["p95"] for r in rows if r["feed"])
    article = next(r for r in rows if r["name"] == "article page")
    lines = [
        "",
        "## Pages",
        "",
        f"Each page: {REPEATS} rounds of {ROUNDS} requests through "
        "Django's test client, in-process, with the page cache off (the blocks "
        "around a page kept per site generation, as in production); the table "
        "gives the median of the rounds and the range of their p95s.",
        "",
        "| page | p50 ms | p95 ms | p95 range ms | SQL queries | HTML KB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['name']} | {r['p50']:.2f} | {r['p95']:.2f} | "
        f"{r['p95_range'][0]:.2f}–{r['p95_range'][1]:.2f} | {r['queries']} | {r['kb']} |"
        for r in rows
    ]
    lines += [
        "",
        "Budgets (DESIGN.md §5):",
        f"- feed-type pages p95 ≤ {BUDGET_FEED_P95_MS:g} ms: worst {worst_feed:.2f} ms "
        f"— {'met' if worst_feed <= BUDGET_FEED_P95_MS else 'MISSED'}",
        f"- deep page ≤ {BUDGET_DEEP_RATIO}x page 1: {deep / page1:.2f}x "
        f"— {'met' if deep <= BUDGET_DEEP_RATIO * page1 else 'MISSED'}",
        f"- article page ≤ {BUDGET_ARTICLE_P50_MS:g} ms cold: p50 {article['p50']:.2f} ms "
        f"— {'met' if article['p50'] <= BUDGET_ARTICLE_P50_MS else 'MISSED'}",
    ]
    return lines


def _search_section(total: int) -> list[str]:
    from django.test.utils import override_settings

    rows: list[dict[str, Any]] = []
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for name, urls in searches_to_measure().items():
            rows.append({"name": name, "found": _found(urls[0]), **_measured(urls)})
            figures.record("search", name, rows[-1]["p95"])
            IN_PROCESS_P95[name] = rows[-1]["p95"]
            sys.stderr.write(f"  search, {name}: p95 {rows[-1]['p95']:.2f} ms\n")
    index_mb, index_what, reindex = index_figures()
    worst = max(r["p95"] for r in rows)
    lines = [
        "",
        f"## Search at {total:,} items",
        "",
        "The /search/ page, whole (counts per section, ranking, snippets), as above. "
        f"Index on disk: {index_mb:,.0f} MB ({index_what}). "
        f"Full reindex: {reindex}.",
        "",
        "| query | p50 ms | p95 ms | p95 range ms | SQL queries | found |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['name']} | {r['p50']:.2f} | {r['p95']:.2f} | "
        f"{r['p95_range'][0]:.2f}–{r['p95_range'][1]:.2f} | {r['queries']} | {r['found']} |"
        for r in rows
    ]
    lines += [
        "",
        f"- search p95 ≤ {BUDGET_SEARCH_P95_MS:g} ms: worst {worst:.2f} ms "
        f"— {'met' if worst <= BUDGET_SEARCH_P95_MS else 'MISSED'}",
    ]
    return lines


def _found(url: str) -> str:
    """The result count the page shows, as the reader reads it."""
    from django.test import Client
    from lxml import html

    doc = html.fromstring(Client().get(url).content)
    return " ".join(doc.xpath("string(//p[contains(@class,'search-count')])").split())


def _expect_ok(response: object, url: str) -> None:
    status = getattr(response, "status_code", None)
    if status != 200:
        raise SystemExit(f"bench: {url} answered {status}, not 200")


if __name__ == "__main__":
    main()
