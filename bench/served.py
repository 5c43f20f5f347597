"""Readers' latency as `dateline serve` answers them, and the server's memory.

Part of the server bench (serve.py), on a `dateline serve` with the page
cache off. The in-process figures of run.py time the view alone; a reader
also meets the server: its threads, the collector, the socket. Here each
feed-type page of run.py's ``pages_to_measure()`` and each query of its
``searches_to_measure()`` (the same URLs, not copies) is asked for over HTTP
on loopback, one request at a time on one connection (a reader's latency, not
a load), then the feeds and API calls of syndication.py and api.py in the
same way. Each gets p50, p95 and p99 against the same budgets as in-process.

The memory of the server is read from /proc: granian's main process and each
worker, resident now (VmRSS) and at its peak (VmHWM, so a peak during a load
counts though the reading comes after it), in MiB, at start, after the wrk
loads and after each part here. Budgets (DESIGN.md §5): a worker ≤ 120 MiB,
the main process and two workers ≤ 300 MiB.
"""

from __future__ import annotations

import http.client
import os
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from types import ModuleType

# Requests per page or query (after a few to warm up), one at a time.
REQUESTS = int(os.environ.get("BENCH_SERVED_REQUESTS", "200"))
WARM_UP = 5
BUDGET_FEED_PAGE_P95_MS = 15.0
BUDGET_SEARCH_P95_MS = 50.0
BUDGET_FEEDS_P95_MS = 20.0
BUDGET_API_P95_MS = 15.0
BUDGET_WORKER_MIB = 120.0
BUDGET_SERVER_MIB = 300.0  # the main process and two workers


class Memory(NamedTuple):
    """One reading: (resident, peak) MiB of the main process and each worker."""

    main: tuple[float, float]
    workers: list[tuple[float, float]]


def _status(pid: int | str) -> tuple[float, float] | None:
    try:
        text = (Path("/proc") / str(pid) / "status").read_text()
    except OSError:
        return None  # gone meanwhile
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    if "VmRSS" not in fields or "VmHWM" not in fields:
        return None
    return (
        int(fields["VmRSS"].split()[0]) / 1024,
        int(fields["VmHWM"].split()[0]) / 1024,
    )


def memory(server: int) -> Memory:
    """The server's memory now: ``server`` is granian's main process (the
    pid `dateline serve` started with: it execs the launcher), its children
    the workers."""
    main = _status(server) or (0.0, 0.0)
    children = Path("/proc") / str(server) / "task" / str(server) / "children"
    try:
        pids = children.read_text().split()
    except OSError:
        pids = []
    workers = [found for pid in pids if (found := _status(pid)) is not None]
    return Memory(main, workers)


def _bench_run() -> ModuleType:
    """run.py, whose URL choices this measures: the running script itself
    when run.py is the main program, else imported."""
    main = sys.modules.get("__main__")
    if main is not None and hasattr(main, "searches_to_measure"):
        return main
    import run

    return run


def run(port: int, server: int, readings: dict[str, Memory]) -> list[dict[str, Any]]:
    """Each part served in turn, the server's memory read after each."""
    from busiest import busiest

    from dateline.api.models import ApiKey
    from dateline.content.models import Article

    bench = _bench_run()
    pages = {
        name: urls
        for name, (urls, is_feed) in bench.pages_to_measure().items()
        if is_feed
    }
    subjects = busiest()
    newest = Article.objects.public().order_by("-published_at", "-id").first()
    feeds = {  # as syndication.py
        "all news, RSS": ["/feeds/news.rss"],
        "busiest section, Atom": [f"/feeds/sections/{subjects.section}.atom"],
        "busiest topic, JSON Feed": [f"/feeds/topics/{subjects.topic}.json"],
    }
    calls = {  # as api.py
        "items list, newest 20": ["/api/v1/items"],
        "items list, a section": [f"/api/v1/items?section={subjects.section}"],
        "items list, q=government": ["/api/v1/items?q=government"],
        "one item": [f"/api/v1/items/{newest.pk if newest else 0}"],
    }
    rows: list[dict[str, Any]] = []
    for part, kind, group, budget in (
        ("feed pages", "feed page", pages, BUDGET_FEED_PAGE_P95_MS),
        ("search", "search", bench.searches_to_measure(), BUDGET_SEARCH_P95_MS),
        ("feeds", "feed", feeds, BUDGET_FEEDS_P95_MS),
    ):
        for name, urls in group.items():
            rows.append(_served(port, kind, name, urls, budget))
        readings[f"page cache off: after served {part}"] = memory(server)
    key_row, key = ApiKey.issue(name="make bench (served)", requests_per_minute=10**9)
    try:
        for name, urls in calls.items():
            budget = BUDGET_API_P95_MS if name.startswith("items list") else None
            rows.append(
                _served(port, "API", name, urls, budget, Authorization=f"Bearer {key}")
            )
    finally:
        key_row.delete()
    readings["page cache off: after served API calls"] = memory(server)
    return rows


def _served(
    port: int,
    kind: str,
    name: str,
    urls: list[str],
    budget: float | None,
    **headers: str,
) -> dict[str, Any]:
    """One page or query, REQUESTS times, one at a time on one connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    sent = {"Accept-Encoding": "gzip", **headers}
    timings = []
    try:
        for i in range(WARM_UP + REQUESTS):
            url = urls[i % len(urls)]
            start = time.perf_counter()
            connection.request("GET", url, headers=sent)
            answer = connection.getresponse()
            answer.read()
            elapsed = (time.perf_counter() - start) * 1000
            if answer.status != 200:
                raise SystemExit(f"bench: {url} answered {answer.status}, not 200")
            if i >= WARM_UP:
                timings.append(elapsed)
    finally:
        connection.close()
    timings.sort()
    row = {
        "kind": kind,
        "name": name,
        "p50": statistics.median(timings),
        "p95": _percentile(timings, 95),
        "p99": _percentile(timings, 99),
        "max": timings[-1],
        "budget": budget,
        "load": os.getloadavg()[0],
    }
    sys.stderr.write(f"  served, {kind}, {name}: p95 {row['p95']:.1f} ms\n")
    return row


def _percentile(ordered: list[float], percent: int) -> float:
    """The nearest-rank percentile, as run.py takes its p95."""
    return ordered[max(0, -(-len(ordered) * percent // 100) - 1)]


def report(rows: list[dict[str, Any]], readings: dict[str, Memory]) -> list[str]:
    lines: list[str] = []
    in_process: dict[str, float] = getattr(_bench_run(), "IN_PROCESS_P95", {})
    if rows:
        loads = [r["load"] for r in rows]
        lines += [
            "",
            "### Served with the page cache off, one request at a time",
            "",
            f"Each page or query {REQUESTS} times over HTTP on loopback, one "
            f"connection, after {WARM_UP} to warm up (the URLs of the in-process "
            "tables above); the time from sending the request to the last byte, "
            "beside the in-process p95 of this run where its part ran. "
            f"Load average during these: {min(loads):.1f}–{max(loads):.1f}.",
            "",
            "| kind | page or query | p50 ms | p95 ms | p99 ms | max ms | "
            "in-process p95 ms | p95 budget |",
            "|---|---|---:|---:|---:|---:|---:|---|",
        ]
        for r in rows:
            budget = (
                f"≤ {r['budget']:g} ms — {'met' if r['p95'] <= r['budget'] else 'MISSED'}"
                if r["budget"] is not None
                else "–"
            )
            measured = in_process.get(r["name"])
            lines.append(
                f"| {r['kind']} | {r['name']} | {r['p50']:.1f} | {r['p95']:.1f} | "
                f"{r['p99']:.1f} | {r['max']:.1f} | "
                f"{'–' if measured is None else f'{measured:.1f}'} | {budget} |"
            )
    return lines + memory_report(readings)


def memory_report(readings: dict[str, Memory]) -> list[str]:
    if not readings:
        return []
    lines = [
        "",
        "### Memory of `dateline serve`",
        "",
        "Resident now / peak (VmRSS / VmHWM from /proc), MiB: granian's main "
        "process, each worker, and the server in all (the sum of the peaks "
        "is the most the server could have held at once).",
        "",
        "| when | main process | workers | in all, now | in all, peak |",
        "|---|---:|---:|---:|---:|",
    ]
    for when, reading in readings.items():
        workers = ", ".join(f"{now:.0f} / {peak:.0f}" for now, peak in reading.workers)
        now = reading.main[0] + sum(w[0] for w in reading.workers)
        peak = reading.main[1] + sum(w[1] for w in reading.workers)
        lines.append(
            f"| {when} | {reading.main[0]:.0f} / {reading.main[1]:.0f} | "
            f"{workers or 'none found'} | {now:.0f} | {peak:.0f} |"
        )
    worst_worker = max(
        (peak for reading in readings.values() for _, peak in reading.workers),
        default=0.0,
    )

    def main_and_two(reading: Memory) -> float:
        return reading.main[1] + sum(sorted((p for _, p in reading.workers))[-2:])

    worst = max(readings.values(), key=main_and_two)
    two = sorted((peak for _, peak in worst.workers), reverse=True)[:2]
    server = main_and_two(worst)
    if worst_worker == 0.0:
        return [*lines, "", "- memory: not measured (no /proc, or no worker found)"]
    lines += [
        "",
        "Budgets (DESIGN.md §5):",
        f"- each worker ≤ {BUDGET_WORKER_MIB:g} MiB resident at its peak: worst "
        f"{worst_worker:.0f} MiB — "
        f"{'met' if worst_worker <= BUDGET_WORKER_MIB else 'MISSED'}",
        f"- main process + two workers ≤ {BUDGET_SERVER_MIB:g} MiB (peaks): "
        f"{worst.main[1]:.0f} + {' + '.join(f'{p:.0f}' for p in two)} = "
        f"{server:.0f} MiB — {'met' if server <= BUDGET_SERVER_MIB else 'MISSED'}",
    ]
    return lines
