"""``make bench``: page render times and SQL query counts on the demo archive.

Runs in-process through Django's test client against a database of its own
under var/bench/ (the demo agency, loaded on first run). Every request is
uncached: Dateline has no page cache yet, so this is the cold render cost of
the view, templates and queries, without network or server overhead.
Prints a table and writes it to bench/results/.
"""

from __future__ import annotations

import io
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "var" / "bench"
ROUNDS = 200

os.environ["DATELINE_DATA_DIR"] = str(DATA_DIR)
os.environ.pop("DATELINE_DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from dateline.content.models import Article, Person, Section, Topic

    call_command("migrate", verbosity=0, interactive=False)
    if not Article.objects.exists():
        call_command("demo", stdout=io.StringIO())
    call_command("collectstatic", verbosity=0, interactive=False)

    articles = list(
        Article.objects.public().select_related("section").order_by("-id")[:40]
    )
    section = Section.objects.first()
    topic = Topic.objects.order_by("pk").first()
    person = Person.objects.order_by("pk").first()
    if not (articles and section and topic and person):
        raise SystemExit("bench: the demo archive is empty")
    pages = {
        "article page": [a.get_absolute_url() for a in articles],
        "home page": ["/"],
        "section page": [section.get_absolute_url()],
        "topic page": [topic.get_absolute_url()],
        "person page": [person.get_absolute_url()],
    }

    client = Client()
    rows = []
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for name, urls in pages.items():
            for url in urls:  # warm imports and template compilation once
                _expect_ok(client.get(url), url)
            timings, queries = [], set()
            for i in range(ROUNDS):
                url = urls[i % len(urls)]
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    response = client.get(url)
                    elapsed = time.perf_counter() - start
                _expect_ok(response, url)
                timings.append(elapsed * 1000)
                queries.add(len(captured))
            timings.sort()
            rows.append(
                (
                    name,
                    statistics.median(timings),
                    timings[int(len(timings) * 0.95) - 1],
                    "/".join(str(q) for q in sorted(queries)),
                    len(response.content) // 1024,
                )
            )

    stamp = datetime.now(UTC)
    lines = [
        f"# Page renders, {stamp:%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite (WAL), demo archive of {Article.objects.count()} items. "
        f"{ROUNDS} uncached requests per page through Django's test client, in-process.",
        "",
        "| page | p50 ms | p95 ms | SQL queries | HTML KB |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {n} | {p50:.2f} | {p95:.2f} | {q} | {kb} |" for n, p50, p95, q, kb in rows
    ]
    table = "\n".join(lines) + "\n"
    out = ROOT / "bench" / "results" / f"{stamp:%Y-%m-%d}-pages.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table)
    sys.stdout.write(f"{table}\nwritten to {out.relative_to(ROOT)}\n")


def _expect_ok(response: object, url: str) -> None:
    status = getattr(response, "status_code", None)
    if status != 200:
        raise SystemExit(f"bench: {url} answered {status}, not 200")


if __name__ == "__main__":
    main()
