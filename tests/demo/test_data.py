"""The demo's data files are consistent: every reference resolves, nothing is dated.

These checks run without a database, so a broken edit to a TOML file is named
precisely (file, key and problem) instead of surfacing as a load error.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from dateline.demo import loader
from dateline.demo.pictures import PAINTERS

CITIES = {
    "Arvenna",
    "Port Seline",
    "Dravik",
    "Lindholm",
    "Tessaro",
    "Kellmark",
    "Belcastro",
    "Karsk",
    "Port Azul",
    "Vantor",
}
WEEKDAY = re.compile(r"\b(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b")
YEAR = re.compile(r"\b(19|20)\d\d\b")
REQUIRED = {
    "key",
    "section",
    "hours_ago",
    "urgency",
    "dateline",
    "headline",
    "lead",
    "topics",
    "persons",
    "body",
}


def slugs(kind: str) -> set[str]:
    return {entry["slug"] for entry in loader.read_taxonomy(kind)}


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    return loader.read_articles()


def test_the_taxonomy_is_large_enough_to_browse() -> None:
    assert len(slugs("section")) == 8
    assert len(slugs("topic")) >= 15
    assert len(slugs("person")) >= 20


def test_every_item_has_its_fields_and_a_unique_key(
    items: list[dict[str, Any]],
) -> None:
    assert len(items) >= 80
    missing = {i.get("key"): REQUIRED - i.keys() for i in items if REQUIRED - i.keys()}
    assert missing == {}
    duplicates = [k for k, n in Counter(i["key"] for i in items).items() if n > 1]
    assert duplicates == []


def test_every_reference_resolves(items: list[dict[str, Any]]) -> None:
    sections, topics, persons = slugs("section"), slugs("topic"), slugs("person")
    keys = {i["key"] for i in items}
    problems = []
    for item in items:
        key = item["key"]
        if item["section"] not in sections:
            problems.append(f"{key}: section {item['section']}")
        problems += [f"{key}: topic {t}" for t in item["topics"] if t not in topics]
        problems += [f"{key}: person {p}" for p in item["persons"] if p not in persons]
        problems += [
            f"{key}: read_also {r}"
            for r in item.get("read_also", [])
            if r not in keys or r == key
        ]
        if "photo" in item and item["photo"]["subject"] not in PAINTERS:
            problems.append(f"{key}: photo subject {item['photo']['subject']}")
        if item["dateline"] not in CITIES:
            problems.append(f"{key}: dateline {item['dateline']}")
        if not 1 <= item["urgency"] <= 9:
            problems.append(f"{key}: urgency {item['urgency']}")
    assert problems == []


def test_fronts_name_public_items_of_their_section(
    items: list[dict[str, Any]],
) -> None:
    by_key = {i["key"]: i for i in items}
    fronts = loader._read("fronts.toml")["front"]
    assert fronts[0]["section"] == ""  # the home page comes first
    for front in fronts:
        assert front["section"] in slugs("section") | {""}
        for key in front["items"]:
            assert by_key[key].get("status", "published") == "published", key
            assert front["section"] in ("", by_key[key]["section"]), key


def test_times_are_relative_and_bodies_undated(items: list[dict[str, Any]]) -> None:
    problems = []
    for item in items:
        key, hours = item["key"], float(item["hours_ago"])
        if item.get("status") == "scheduled":
            if hours >= 0:
                problems.append(f"{key}: scheduled items lie in the future")
        elif not 0 <= hours <= 240:
            problems.append(f"{key}: hours_ago {hours}")
        text = " ".join((item["headline"], item["lead"], item["body"]))
        if WEEKDAY.search(text) or YEAR.search(text):
            problems.append(f"{key}: names a weekday or a year")
        if item["body"].lstrip().upper().startswith(item["dateline"].upper()):
            problems.append(f"{key}: the body repeats the dateline")
    assert problems == []


def test_the_demo_shows_every_kind_of_item(items: list[dict[str, Any]]) -> None:
    statuses = Counter(i.get("status", "published") for i in items)
    assert statuses["draft"] >= 1
    assert statuses["scheduled"] >= 1
    assert any(i.get("correction") for i in items)
    assert any(i["urgency"] == 1 for i in items)
    multi_page = {i["section"] for i in items if "\n---\n" in i["body"]}
    assert multi_page == slugs("section")
    assert sum(1 for i in items if "photo" in i) >= len(items) // 2
