"""The reader's section filter: parsed, bounded, and honest about what it ignored."""

from __future__ import annotations

from dateline.content.models import Section
from dateline.feed.filters import MAX_SLUGS, parse_cookie, parse_sections

SECTIONS = [
    Section(id=1, slug="politics", name="Politics", position=0),
    Section(id=2, slug="world", name="World", position=1),
    Section(id=3, slug="sport", name="Sport", position=2),
]


def test_comma_separated_and_repeated_values_both_work_in_navigation_order() -> None:
    chosen = parse_sections(["sport,world"], SECTIONS)
    assert chosen.slugs == ("world", "sport")
    assert parse_sections(["", "sport", "world"], SECTIONS).slugs == ("world", "sport")
    assert chosen.query_value == "world,sport"
    assert chosen.section_ids == [2, 3]


def test_unknown_slugs_are_left_out_and_named() -> None:
    chosen = parse_sections(["world,gardening,<script>"], SECTIONS)
    assert chosen.slugs == ("world",)
    assert chosen.unknown == ("gardening", "<script>")


def test_all_or_an_empty_form_means_every_section_and_a_reset() -> None:
    for values in (["all"], [""], ["ALL"]):
        chosen = parse_sections(values, SECTIONS)
        assert chosen.reset
        assert not chosen.is_active


def test_only_unknown_slugs_show_everything_without_forgetting_the_choice() -> None:
    chosen = parse_sections(["gardening"], SECTIONS)
    assert not chosen.is_active
    assert not chosen.reset


def test_an_oversized_filter_is_bounded() -> None:
    chosen = parse_sections([",".join(["world"] + ["x"] * 5000)], SECTIONS)
    assert chosen.truncated
    assert chosen.slugs == ("world",)
    assert len(chosen.unknown) <= MAX_SLUGS
    chosen = parse_sections(["y" * 100_000], SECTIONS)
    assert chosen.truncated
    assert all(len(slug) <= 60 for slug in chosen.unknown)


def test_the_cookie_keeps_known_sections_and_survives_damage() -> None:
    assert parse_cookie("world.sport", SECTIONS).slugs == ("world", "sport")
    assert parse_cookie("world.gone", SECTIONS).slugs == ("world",)
    assert not parse_cookie("%%%", SECTIONS).is_active
    assert not parse_cookie("w" * 5000, SECTIONS).is_active
    assert not parse_cookie(None, SECTIONS).is_active
