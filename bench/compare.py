"""Both engines side by side, and what a tenfold archive costs.

Reads the figures bench/run.py keeps under var/bench/figures/ (one file per
engine and archive size) and prints two tables: the p95 of every page,
search, feed and API call at the largest archive measured on both engines,
against its budget (DESIGN.md §5), both at the same size; and, per engine, for each two archive
sizes measured in turn (100k → 1M, 1M → 5M), the p95 at the larger divided
by the p95 at the smaller (budget ≤ 1.3x: cost does not grow with the
archive). Run by ``make bench`` after the engines' runs, or alone: ``python bench/compare.py``. Writes bench/results/DATE-bench-compare.md.
"""

from __future__ import annotations

import itertools
import sys
from datetime import UTC, datetime
from pathlib import Path

import figures

ROOT = Path(__file__).resolve().parents[1]
FIGURES_DIR = ROOT / "var" / "bench" / "figures"
RATIO_BUDGET = 1.3
# p95 budgets, ms, by part; pages: the feed-type pages only.
FEED_PAGES = {
    "feed page 1",
    "feed page at item 10,000",
    "filtered feed",
    "section page",
    "topic page",
    "person page",
}
BUDGETS = {"search": 50.0, "feeds": 20.0, "api": 15.0}
SITEMAP_BUDGET_MS = 1000.0
ENGINES = ("SQLite", "PostgreSQL")


def budget(part: str, name: str) -> float | None:
    if part == "pages":
        return 15.0 if name in FEED_PAGES else None
    if part == "feeds" and name.startswith("50,000-URL sitemap"):
        return SITEMAP_BUDGET_MS
    if part == "api" and not name.startswith("items list"):
        return None
    return BUDGETS.get(part)


def runs() -> dict[tuple[str, int], dict[str, dict[str, float]]]:
    found = {}
    for path in sorted(FIGURES_DIR.glob("*.json")):
        data = figures.load(path)
        found[(str(data["engine"]), int(data["articles"]))] = data["parts"]  # type: ignore[call-overload]
    return found


def _cell(value: float | None, limit: float | None) -> str:
    if value is None:
        return "—"
    mark = "" if limit is None or value <= limit else " **MISSED**"
    return f"{value:.2f}{mark}"


def side_by_side_sizes(found: dict) -> dict[str, int]:
    """The archive size each engine's column shows: the largest measured on
    both engines (a 5M run on one engine alone compares with nothing), or
    each engine's largest where they share none."""
    measured = {engine: {n for e, n in found if e == engine} for engine in ENGINES}
    shared = set.intersection(*measured.values())
    if shared:
        return dict.fromkeys(ENGINES, max(shared))
    return {engine: max(sizes, default=0) for engine, sizes in measured.items()}


def engines_table(found: dict) -> list[str]:
    sizes = side_by_side_sizes(found)
    lines = [
        "## Both engines",
        "",
        "p95 in ms (the sitemap: median seconds x 1000), in-process, page cache off; "
        + ", ".join(f"{e} at {n:,} items" for e, n in sizes.items() if n)
        + ".",
        "",
        "| part | row | budget | " + " | ".join(ENGINES) + " |",
        "|---|---|---:|" + "---:|" * len(ENGINES),
    ]
    rows: dict[tuple[str, str], None] = {}
    for engine, n in sizes.items():
        for part, values in found.get((engine, n), {}).items():
            for name in values:
                rows[(part, name)] = None
    missed = 0
    for part, name in rows:
        limit = budget(part, name)
        cells = []
        for engine in ENGINES:
            value = found.get((engine, sizes[engine]), {}).get(part, {}).get(name)
            missed += value is not None and limit is not None and value > limit
            cells.append(_cell(value, limit))
        shown = f"{limit:g}" if limit is not None else ""
        lines.append(f"| {part} | {name} | {shown} | " + " | ".join(cells) + " |")
    lines += ["", f"Budgets missed: {missed}." if missed else "Every budget met."]
    return lines


def ratio_table(found: dict) -> list[str]:
    lines = [
        "",
        f"## Cost against the archive's size (budget ≤ {RATIO_BUDGET}x)",
        "",
    ]
    for engine in ENGINES:
        sizes = sorted(n for e, n in found if e == engine)
        if len(sizes) < 2:
            lines.append(f"{engine}: one archive size measured, no ratio.")
            continue
        for small, large in itertools.pairwise(sizes):
            lines += _ratios(found, engine, small, large)
    return lines


def _ratios(found: dict, engine: str, small: int, large: int) -> list[str]:
    lines = [
        f"### {engine}: {small:,} → {large:,} items",
        "",
        f"| part | row | p95 at {small:,} | p95 at {large:,} | ratio |",
        "|---|---|---:|---:|---:|",
    ]
    over = 0
    for part, values in found[(engine, large)].items():
        for name, big in values.items():
            little = found[(engine, small)].get(part, {}).get(name)
            if not little:
                continue
            ratio = big / little
            over += ratio > RATIO_BUDGET
            flag = " **over**" if ratio > RATIO_BUDGET else ""
            lines.append(
                f"| {part} | {name} | {little:.2f} | {big:.2f} | {ratio:.2f}x{flag} |"
            )
    return [*lines, "", f"Rows over {RATIO_BUDGET}x: {over}.", ""]


def main() -> None:
    found = runs()
    if not found:
        raise SystemExit("compare: no figures yet; run bench/run.py first")
    stamp = datetime.now(UTC)
    described = []
    for path in sorted(FIGURES_DIR.glob("*.json")):
        data = figures.load(path)
        described.append(
            f"- {data['engine']}, {int(data['articles']):,} items: {data['described']}"
        )  # type: ignore[call-overload]
    lines = [
        f"# Dateline on both engines, {stamp:%Y-%m-%d %H:%M} UTC",
        "",
        *described,
        "",
    ]
    lines += engines_table(found) + ratio_table(found)
    text = "\n".join(lines) + "\n"
    out = ROOT / "bench" / "results" / f"{stamp:%Y-%m-%d}-bench-compare.md"
    for again in range(2, 100):
        if not out.exists():
            break
        out = out.with_name(f"{stamp:%Y-%m-%d}-bench-compare-{again}.md")
    out.write_text(text)
    sys.stdout.write(f"{text}\nwritten to {out.relative_to(ROOT)}\n")


if __name__ == "__main__":
    main()
