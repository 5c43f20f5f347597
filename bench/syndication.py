"""Feeds and sitemaps in ``make bench``: the feeds' render time and a
50,000-URL sitemap's, at 1M items. Called by run.py inside its Django setup."""

from __future__ import annotations

import statistics
import sys
import time
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

BUDGET_FEED_P95_MS = 20.0
BUDGET_SITEMAP_S = 1.0
SITEMAP_ROUNDS = 5


def run(
    measure: Callable[[list[str]], tuple[list[float], list[float], set[int], int]],
) -> list[str]:
    import figures
    from busiest import busiest
    from django.test import Client, RequestFactory
    from django.test.utils import override_settings
    from django.utils import timezone

    from dateline.content.models import Article
    from dateline.syndication import sitemaps

    subjects = busiest()
    feeds = {
        "all news, RSS": "/feeds/news.rss",
        "busiest section, Atom": f"/feeds/sections/{subjects.section}.atom",
        "busiest topic, JSON Feed": f"/feeds/topics/{subjects.topic}.json",
        "busiest person, RSS": f"/feeds/persons/{subjects.person}.rss",
    }
    rows = []
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for name, url in feeds.items():
            p50s, p95s, queries, size = measure([url])
            rows.append(
                (name, statistics.median(p50s), statistics.median(p95s), queries, size)
            )
            figures.record("feeds", name, rows[-1][2])
            sys.stderr.write(f"  feed, {name}: p95 {rows[-1][2]:.2f} ms\n")

        client = Client()
        now = timezone.now()
        public = Article.objects.public(now=now).order_by("-published_at", "-id")
        # The newest 50,000 items (or all, in a smaller archive): a file of
        # the largest size the protocol allows, through the monthly files' code.
        times = public.values_list("published_at", flat=True)
        last = times[0]
        first = times[min(sitemaps.URLS_PER_FILE, public.count()) - 1]
        request = RequestFactory().get("/")
        timings, urls = [], 0
        for _ in range(SITEMAP_ROUNDS):
            start = time.perf_counter()
            body = "".join(
                sitemaps.items_lines(
                    request.build_absolute_uri,
                    start=first,
                    end=last + timedelta(microseconds=1),
                    now=now,
                )
            )
            timings.append(time.perf_counter() - start)
            urls = body.count("<url>")
        start = time.perf_counter()
        response = client.get("/sitemap.xml")
        index = b"".join(response.streaming_content)
        index_seconds = time.perf_counter() - start
        files = index.count(b"<sitemap>")
        start = time.perf_counter()
        news = b"".join(client.get("/sitemaps/news.xml").streaming_content)
        news_seconds = time.perf_counter() - start
    sitemap_s = statistics.median(timings)
    figures.record("feeds", "50,000-URL sitemap", sitemap_s * 1000)
    worst_feed = max(row[2] for row in rows)
    lines = [
        "",
        "## Feeds and sitemaps",
        "",
        "Feeds as the pages above (30 entries with full text; the first request "
        "of each warms caches). Sitemaps streamed to the end through "
        "`items_lines`, the code of the monthly files, over the newest 50,000 "
        f"items; median of {SITEMAP_ROUNDS}.",
        "",
        "| feed | p50 ms | p95 ms | SQL queries | KB |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {name} | {p50:.2f} | {p95:.2f} | {'/'.join(str(q) for q in sorted(queries))} | {size // 1024} |"
        for name, p50, p95, queries, size in rows
    ]
    lines += [
        "",
        f"- a sitemap of {urls:,} URLs: {sitemap_s:.2f} s (range "
        f"{min(timings):.2f}–{max(timings):.2f} s)",
        f"- the sitemap index ({files} files, month counts not yet remembered): "
        f"{index_seconds * 1000:.0f} ms; the Google News sitemap "
        f"({news.count(b'<url>')} URLs): {news_seconds * 1000:.0f} ms",
        "",
        "Budgets (issue 6):",
        f"- a feed p95 ≤ {BUDGET_FEED_P95_MS:g} ms: worst {worst_feed:.2f} ms — "
        f"{'met' if worst_feed <= BUDGET_FEED_P95_MS else 'MISSED'}",
        f"- a 50,000-URL sitemap ≤ {BUDGET_SITEMAP_S:g} s: {sitemap_s:.2f} s — "
        f"{'met' if sitemap_s <= BUDGET_SITEMAP_S and urls == 50_000 else 'MISSED'}",
    ]
    return lines
