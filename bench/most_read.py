"""Most read in ``make bench``: how fast views are absorbed, and what the
widget's computation costs at 1M items with a week of views.

Called by run.py inside its Django setup, against the bench archive. Views
are synthetic but shaped like an agency's traffic: most go to the last three
days' items, a story's pull halving every ten hours, and a long tail to the
whole archive (search engines, old links).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from dateline.popularity.counters.base import ViewCounter

VIEWS_PER_HOUR = int(os.environ.get("BENCH_VIEWS_PER_HOUR", "10000"))
EVENTS_IN_PROCESS = int(os.environ.get("BENCH_VIEW_EVENTS", "200000"))
WIDGET_ROUNDS = 50
HTTP_SECONDS = 10
HTTP_CONNECTIONS = 32
TAIL_SHARE = 0.15  # views of the whole archive rather than recent items
HALF_LIFE_HOURS = 10.0
BUDGET_EVENTS_PER_SECOND = 20_000
BUDGET_WIDGET_MS = 20.0
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
REDIS_DEFAULT = "redis://127.0.0.1:6379/14"

WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["User-Agent"] = "%(agent)s"
local ids = {%(ids)s}
request = function()
  wrk.headers["X-Forwarded-For"] = "10." .. math.random(0, 255) .. "." ..
    math.random(0, 255) .. "." .. math.random(1, 254)
  return wrk.format(nil, nil, nil, "item=" .. ids[math.random(#ids)])
end
"""


def run(data_dir: Path) -> list[str]:
    """Measure on the database and, where a server answers, on Redis."""
    from django.utils import timezone

    from dateline.popularity.counters.database import DatabaseViewCounter

    now = timezone.now()
    recent, archive = _items(now)
    rows = [
        _measure(
            "database", DatabaseViewCounter(flush_after=None), now, recent, archive
        )
    ]
    redis_url = os.environ.get("BENCH_REDIS_URL", REDIS_DEFAULT)
    redis_note = ""
    if _redis_answers(redis_url):
        from dateline.popularity.counters.redis import RedisViewCounter

        counter = RedisViewCounter(
            redis_url, prefix="dateline-bench:views:", flush_after=None
        )
        rows.append(_measure("Redis", counter, now, recent, archive))
    else:
        redis_note = f" Redis: not measured, nothing answers at {redis_url} (set BENCH_REDIS_URL)."
    http = _over_http(data_dir, recent)
    week = VIEWS_PER_HOUR * 24 * 7
    lines = [
        "",
        "## Most read",
        "",
        f"A week of synthetic views ({week:,}: {VIEWS_PER_HOUR:,} an hour, "
        f"{1 - TAIL_SHARE:.0%} to the last three days' items, the rest to the whole "
        f"archive) written into each store, then: the widget's three lists computed "
        f"{WIDGET_ROUNDS} times uncached (`most_read()`: the counter's reads and the "
        f"items' query), the hourly ageing of the totals once, and "
        f"{EVENTS_IN_PROCESS:,} views counted in-process through `record_view` (public "
        f"check, crawler check, client digest, per-hour dedupe, buffered batches "
        f"written to the store).{redis_note}",
        "",
        "| store | widget p50 ms | widget p95 ms | SQL queries | hourly ageing ms | "
        "views/s in-process | rows after a week |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['store']} | {r['p50']:.2f} | {r['p95']:.2f} | {r['queries']} | "
        f"{r['ageing']:.0f} | {r['rate']:,.0f} | {r['rows']} |"
        for r in rows
    ]
    lines += ["", http["line"], "", "Budgets (issue 5):"]
    for r in rows:
        lines.append(
            f"- {r['store']}: widget computation ≤ {BUDGET_WIDGET_MS:g} ms: p95 "
            f"{r['p95']:.2f} ms — {'met' if r['p95'] <= BUDGET_WIDGET_MS else 'MISSED'}; "
            f"≥ {BUDGET_EVENTS_PER_SECOND:,} views/s in-process: {r['rate']:,.0f} — "
            f"{'met' if r['rate'] >= BUDGET_EVENTS_PER_SECOND else 'MISSED'}"
        )
    return lines


def _items(now: datetime) -> tuple[list[tuple[int, float]], list[int]]:
    """(id, hours since publication) of the last three days' items, and a
    sample of the whole archive's ids."""
    from dateline.content.models import Article

    public = Article.objects.public(now=now)
    recent = [
        (pk, (now - at).total_seconds() / 3600)
        for pk, at in public.filter(published_at__gte=now - timedelta(days=10))
        .values_list("id", "published_at")
        .iterator()
        if at is not None
    ]
    rng = random.Random("bench-most-read-archive")  # noqa: S311 - not crypto
    highest = public.order_by("-id").values_list("id", flat=True).first() or 1
    archive = list(
        public.filter(
            id__in=rng.sample(range(1, highest + 1), min(highest, 20_000))
        ).values_list("id", flat=True)
    )
    return recent, archive


def _week_of_views(
    recent: list[tuple[int, float]], archive: list[int], now: datetime
) -> Any:
    """Each hour of the last week, oldest first: (hour, [item id, …])."""
    from dateline.popularity.windows import HOUR, bucket_of

    rng = random.Random("bench-most-read-week")  # noqa: S311 - not crypto
    appeal = {pk: rng.lognormvariate(0, 1.0) for pk, _ in recent}
    current = bucket_of(now)
    for back in range(24 * 7 - 1, -1, -1):
        hour = current - back * HOUR
        # Items published within the three days before this hour.
        live = [(pk, age - back) for pk, age in recent if 0 <= age - back <= 72]
        weights = [appeal[pk] * 0.5 ** (age / HALF_LIFE_HOURS) for pk, age in live]
        tail = round(VIEWS_PER_HOUR * TAIL_SHARE) if live else VIEWS_PER_HOUR
        picks = (
            []
            if not live
            else rng.choices(
                [pk for pk, _ in live], weights=weights, k=VIEWS_PER_HOUR - tail
            )
        )
        picks += rng.choices(archive, k=tail)
        yield hour, picks


def _measure(
    store: str,
    counter: ViewCounter,
    now: datetime,
    recent: list[tuple[int, float]],
    archive: list[int],
) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from dateline.popularity import services
    from dateline.popularity.counters import use_counter
    from dateline.popularity.counters.base import View
    from dateline.popularity.models import ViewBucket, WindowTotal
    from dateline.popularity.selectors import most_read
    from dateline.popularity.windows import HOUR

    previous = use_counter(counter)
    try:
        counter.clear()
        sys.stderr.write(f"  most read, {store}: writing a week of views…\n")
        serial = 0
        for hour, picks in _week_of_views(recent, archive, now):
            views = []
            for pk in picks:
                serial += 1
                views.append(View(f"bench{serial}", pk, hour))
            counter.write(views, now=now)
        rows = (
            f"{ViewBucket.objects.count():,} buckets, {WindowTotal.objects.count():,} totals"
            if store == "database"
            else "—"
        )
        counter.age(now)
        timings, queries = [], set()
        for _ in range(WIDGET_ROUNDS):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                lists = most_read(now=now)
                timings.append((time.perf_counter() - start) * 1000)
            queries.add(len(captured))
        if not all(len(item.entries) == 7 for item in lists):
            raise SystemExit(f"bench: most read on {store} has short lists")
        timings.sort()
        with transaction.atomic():
            start = time.perf_counter()
            counter.age_totals(now + HOUR)
            ageing = (time.perf_counter() - start) * 1000
            transaction.set_rollback(True)  # the Redis ageing stands; harmless
        counter._aged_to = None
        counter.age(now)

        rng = random.Random("bench-most-read-events")  # noqa: S311 - not crypto
        ids = [pk for pk, age in recent if age <= 72] or archive
        events = [
            (
                rng.choice(ids),
                f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            )
            for _ in range(EVENTS_IN_PROCESS)
        ]
        for pk, _ in events[:2000]:  # the public check, once per item
            services.is_countable(pk, now=now)
        start = time.perf_counter()
        for pk, address in events:
            services.record_view(article_id=pk, address=address, user_agent=BROWSER)
        counter.flush()
        rate = EVENTS_IN_PROCESS / (time.perf_counter() - start)
        counter.clear()
    finally:
        use_counter(previous)
    result = {
        "store": store,
        "p50": statistics.median(timings),
        "p95": timings[int(len(timings) * 0.95) - 1],
        "queries": "/".join(str(q) for q in sorted(queries)),
        "ageing": ageing,
        "rate": rate,
        "rows": rows,
    }
    sys.stderr.write(
        f"  most read, {store}: widget p95 {result['p95']:.2f} ms, {rate:,.0f} views/s\n"
    )
    return result


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except (redis.RedisError, OSError):
        return False


def _over_http(data_dir: Path, recent: list[tuple[int, float]]) -> dict[str, str]:
    """Beacons from wrk to ``dateline serve`` on loopback, database counter."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return {
            "line": "Over HTTP: not measured, wrk is not installed (`apt-get install wrk`)."
        }
    ids = ",".join(str(pk) for pk, age in recent if age <= 72)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATELINE_DATA_DIR": str(data_dir),
        "DATELINE_PROXY_HOPS": "1",
        "DATELINE_ALLOWED_HOSTS": "127.0.0.1",
    }
    env.pop("DATELINE_REDIS_URL", None)
    server = subprocess.Popen(  # noqa: S603 - our own command
        [
            sys.executable,
            "-m",
            "dateline",
            "serve",
            "--port",
            str(port),
            "--no-collectstatic",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT % {"agent": BROWSER, "ids": ids})
        result = subprocess.run(  # noqa: S603 - wrk, found on PATH
            [wrk, "-t2", f"-c{HTTP_CONNECTIONS}", f"-d{HTTP_SECONDS}s", "--latency",
             "-s", script.name, f"http://127.0.0.1:{port}/views/"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        Path(script.name).unlink()
    finally:
        server.terminate()
        server.wait(timeout=30)
    out = result.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"50%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "line": (
            f"Over HTTP: wrk ({HTTP_CONNECTIONS} connections, {HTTP_SECONDS} s, 2 threads) "
            f"posting beacons to `dateline serve` (granian, {os.cpu_count()} workers, "
            f"database counter) on loopback, both on this machine's {os.cpu_count()} cores: "
            f"{rate:,.0f} views/s, latency p50 {p50}, p99 {p99}"
            + (f", {bad.group(1)} non-2xx answers" if bad else ", every answer a 204")
            + "."
        )
    }


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"bench: dateline serve did not start on port {port}")
