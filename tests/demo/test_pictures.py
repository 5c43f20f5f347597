"""The demo's drawn charts letter every character they show: no
missing-glyph box, whichever font the machine offers."""

from __future__ import annotations

from typing import Any

import pytest
from PIL import ImageDraw, ImageFont

from dateline.demo import loader, pictures


@pytest.fixture
def lettering(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Each text a drawing writes, with the font it writes it in."""
    written: list[tuple[str, Any]] = []
    original = ImageDraw.ImageDraw.text

    def text(
        self: ImageDraw.ImageDraw, xy: Any, text: str, *args: Any, **kw: Any
    ) -> None:
        written.append((text, kw["font"]))
        return original(self, xy, text, *args, **kw)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", text)
    return written


def draw_demo_charts() -> list[dict[str, Any]]:
    specs = loader._read("infographics.toml")["infographic"]
    for spec in specs:
        rows = [(str(name), float(value)) for name, value in spec["rows"]]
        pictures.draw_bar_chart(
            spec["title"], rows, unit=spec["unit"], seed=spec["slug"]
        )
    return specs


@pytest.mark.parametrize("fonts", ["the machine's", "Pillow's own"])
def test_the_demo_charts_draw_no_missing_glyph_box(
    lettering: list[tuple[str, Any]], monkeypatch: pytest.MonkeyPatch, fonts: str
) -> None:
    if fonts == "Pillow's own":
        monkeypatch.setattr(pictures, "CHART_FONTS", ())
    specs = draw_demo_charts()
    assert any("–" in spec["title"] for spec in specs)  # the case in point
    titles = {spec["title"].replace("–", "-") for spec in specs}
    assert {text.replace("–", "-") for text, _ in lettering} >= titles
    for text, font in lettering:
        assert not pictures.missing_glyphs(text, font), text


def test_a_font_without_the_dash_gets_a_hyphen_and_one_with_it_keeps_it() -> None:
    own = ImageFont.load_default(size=34)
    assert pictures.missing_glyphs("Quotas, 2024–2027", own) == {"–"}
    assert pictures.drawable("Quotas, 2024–2027", own) == "Quotas, 2024-2027"
    font = pictures.chart_font(34)
    if not pictures.missing_glyphs("–", font):
        assert pictures.drawable("Quotas, 2024–2027", font) == "Quotas, 2024–2027"
