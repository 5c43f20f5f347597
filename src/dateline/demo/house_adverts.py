"""The demo agency's house adverts: its own services, drawn with Pillow.

Original and fictional, like the rest of the demo: Meridian News Agency
advertises its photo archive, its newsletter, its wire for partners and its
election data. Links point at the reserved ``.example`` domain.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

from dateline.adverts import services
from dateline.adverts.models import Advert, Placement

if TYPE_CHECKING:
    from datetime import datetime

RGB = tuple[int, int, int]
NAVY: RGB = (8, 58, 102)
GOLD: RGB = (242, 183, 5)
PAPER: RGB = (250, 248, 242)
INK: RGB = (22, 24, 29)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def draw_newsletter_banner() -> bytes:
    """970 by 120: the Morning Brief newsletter, for the header."""
    image = Image.new("RGB", (970, 120), NAVY)
    draw = ImageDraw.Draw(image)
    for x in range(0, 970, 24):  # a band of "wire" ticks along the bottom
        draw.line([(x, 108), (x + 12, 108)], fill=GOLD, width=3)
    draw.ellipse([24, 22, 96, 94], outline=GOLD, width=5)
    draw.line([(60, 30), (60, 86)], fill=GOLD, width=4)
    draw.line([(32, 58), (88, 58)], fill=GOLD, width=4)
    draw.text((122, 22), "The Morning Brief", fill=(255, 255, 255), font=_font(36))
    draw.text(
        (122, 68),
        "The day's wire in five minutes, from Meridian News Agency",
        fill=(220, 230, 240),
        font=_font(20),
    )
    draw.rounded_rectangle([760, 34, 946, 86], radius=8, fill=GOLD)
    draw.text((780, 46), "Subscribe free", fill=NAVY, font=_font(24))
    return _png(image)


def draw_archive_box() -> bytes:
    """300 by 250: the photo archive, for the home page sidebar."""
    image = Image.new("RGB", (300, 250), PAPER)
    draw = ImageDraw.Draw(image)
    frames = [(18, 18, 138, 98), (150, 18, 282, 98), (18, 108, 282, 150)]
    shades: list[RGB] = [(120, 160, 200), (200, 150, 110), (110, 150, 120)]
    for box, shade in zip(frames, shades, strict=True):
        draw.rectangle(box, fill=shade, outline=INK, width=2)
        x0, y0, x1, y1 = box
        draw.polygon(
            [(x0 + 6, y1 - 4), ((x0 + x1) // 2, y0 + 14), (x1 - 6, y1 - 4)],
            fill=(60, 70, 80),
        )
    draw.text((18, 160), "Meridian Photo Archive", fill=NAVY, font=_font(22))
    draw.text((18, 192), "License news pictures from", fill=INK, font=_font(16))
    draw.text((18, 212), "forty years of reporting", fill=INK, font=_font(16))
    return _png(image)


def draw_wire_strip() -> bytes:
    """728 by 90: the wire for partner sites, inside the article."""
    image = Image.new("RGB", (728, 90), (243, 245, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 10, 90], fill=GOLD)
    for row, width in enumerate([180, 140, 200, 120]):
        draw.rectangle(
            [30, 14 + row * 16, 30 + width, 22 + row * 16], fill=(180, 190, 205)
        )
    draw.text((250, 14), "Meridian Wire for partners", fill=NAVY, font=_font(26))
    draw.text(
        (250, 52),
        "Our news on your site: feeds and an API, by the hour",
        fill=INK,
        font=_font(17),
    )
    return _png(image)


DATA_SNIPPET = (
    "<p><strong>Meridian Data</strong> — results, rates and sports tables for "
    "your newsroom, updated as they happen.</p>"
    '<p><a href="https://meridian.example/data">Ask for a free trial</a></p>'
)


def load_house_adverts(*, now: datetime) -> int:
    """Create the demo adverts, once; returns how many were created."""
    if Advert.objects.exists():
        return 0
    placements = {placement.key: placement for placement in Placement.objects.all()}
    start = now - timedelta(days=3)
    adverts = [
        Advert(
            name="House: The Morning Brief newsletter",
            placement=placements[Placement.Key.HEADER],
            kind=Advert.Kind.IMAGE,
            image=ContentFile(draw_newsletter_banner(), name="morning-brief.png"),
            alt_text="The Morning Brief: the day's wire in five minutes, from "
            "Meridian News Agency. Subscribe free.",
            target_url="https://meridian.example/newsletter",
            starts_at=start,
        ),
        Advert(
            name="House: Meridian Photo Archive",
            placement=placements[Placement.Key.HOME],
            kind=Advert.Kind.IMAGE,
            image=ContentFile(draw_archive_box(), name="photo-archive.png"),
            alt_text="Meridian Photo Archive: license news pictures from forty "
            "years of reporting.",
            target_url="https://meridian.example/archive",
            starts_at=start,
        ),
        Advert(
            name="House: Meridian Wire for partners",
            placement=placements[Placement.Key.ARTICLE],
            kind=Advert.Kind.IMAGE,
            image=ContentFile(draw_wire_strip(), name="wire-partners.png"),
            alt_text="Meridian Wire for partners: our news on your site, with "
            "feeds and an API, by the hour.",
            target_url="https://meridian.example/wire",
            starts_at=start,
        ),
        Advert(
            name="House: Meridian Data",
            placement=placements[Placement.Key.SIDEBAR],
            kind=Advert.Kind.SNIPPET,
            html=DATA_SNIPPET,
            starts_at=start,
        ),
        Advert(
            name="House: Election night data (scheduled)",
            placement=placements[Placement.Key.SIDEBAR],
            kind=Advert.Kind.SNIPPET,
            html="<p><strong>Election night</strong> — live results for your "
            'site from Meridian Data. <a href="https://meridian.example/elections">'
            "Book now</a></p>",
            starts_at=now + timedelta(days=7),
            ends_at=now + timedelta(days=10),
            priority=5,
        ),
    ]
    for advert in adverts:
        services.save_advert(advert=advert, actor=None)
    return len(adverts)


def remove_house_adverts() -> int:
    """Remove the demo's adverts and their images (for ``demo --reset``)."""
    removed = 0
    for advert in Advert.objects.filter(name__startswith="House: "):
        services.delete_advert(advert=advert, actor=None)
        removed += 1
    return removed
