"""The figures of a bench run, kept for comparing engines and archive sizes.

Each part records its p95s here by name; run.py saves them per engine and
archive size under var/bench/figures/ (a later run of a part replaces that
part's figures), and compare.py reads them back.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

_figures: dict[str, dict[str, float]] = {}


def key_name(name: str) -> str:
    """A row's name without what depends on the archive ("rare word (Lund)"
    → "rare word"), so that the same row matches across archives."""
    return name.split(" (")[0]


def record(part: str, name: str, p95_ms: float) -> None:
    _figures.setdefault(part, {})[key_name(name)] = round(p95_ms, 3)


def save(path: Path, *, engine: str, articles: int, described: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = json.loads(path.read_text()) if path.exists() else {}
    kept.setdefault("parts", {}).update(_figures)
    kept.update(engine=engine, articles=articles, described=described)
    path.write_text(json.dumps(kept, indent=1, ensure_ascii=False) + "\n")


def load(path: Path) -> dict[str, object]:
    return json.loads(path.read_text()) if path.exists() else {}
