"""The public API in ``make bench``: the items list at 1M items. Called by
run.py inside its Django setup, with a partner key (the anonymous rate
limit would stop a benchmark)."""

from __future__ import annotations

import statistics
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

BUDGET_LIST_P95_MS = 15.0


def run(
    measure: Callable[..., tuple[list[float], list[float], set[int], int]],
) -> list[str]:
    import figures
    from busiest import busiest
    from django.test.utils import override_settings

    from dateline.api.models import ApiKey
    from dateline.content.models import Article

    subjects = busiest()
    newest = Article.objects.public().order_by("-published_at", "-id").first()
    if newest is None:
        raise SystemExit("bench: the archive has no public item")
    calls = {
        "items list, newest 20": ["/api/v1/items"],
        "items list, a section": [f"/api/v1/items?section={subjects.section}"],
        "items list, a topic": [f"/api/v1/items?topic={subjects.topic}"],
        "items list, urgency ≤ 2": ["/api/v1/items?urgency=2"],
        "items list, q=government": ["/api/v1/items?q=government"],
        "one item": [f"/api/v1/items/{newest.pk}"],
    }
    row, key = ApiKey.issue(name="make bench", requests_per_minute=10**9)
    rows = []
    try:
        with override_settings(ALLOWED_HOSTS=["testserver"]):
            for name, urls in calls.items():
                p50s, p95s, queries, size = measure(
                    urls, HTTP_AUTHORIZATION=f"Bearer {key}"
                )
                rows.append(
                    (
                        name,
                        statistics.median(p50s),
                        statistics.median(p95s),
                        queries,
                        size,
                    )
                )
                figures.record("api", name, rows[-1][2])
                sys.stderr.write(f"  api, {name}: p95 {rows[-1][2]:.2f} ms\n")
    finally:
        row.delete()
    worst = max(p95 for name, _, p95, _, _ in rows if name.startswith("items list"))
    lines = [
        "",
        "## API",
        "",
        "The API's JSON responses (IPTC ninjs 3.1, 20 items a page), with a partner "
        "key, measured like the pages above.",
        "",
        "| call | p50 ms | p95 ms | SQL queries | KB |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {name} | {p50:.2f} | {p95:.2f} | {'/'.join(str(q) for q in sorted(queries))} | {size // 1024} |"
        for name, p50, p95, queries, size in rows
    ]
    lines += [
        "",
        "Budget (issue 7):",
        f"- the items list p95 ≤ {BUDGET_LIST_P95_MS:g} ms: worst {worst:.2f} ms — "
        f"{'met' if worst <= BUDGET_LIST_P95_MS else 'MISSED'}",
    ]
    return lines
