"""Stylised news pictures drawn with Pillow for the demo: no downloads, no stock.

Each kind of subject is a small flat illustration; a seed varies colours and
layout so that two pictures of the same kind differ.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 675  # 16:9, over Google's 50,000-pixel minimum

Painter = Callable[[ImageDraw.ImageDraw, random.Random], None]
RGB = tuple[int, int, int]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _sky(draw: ImageDraw.ImageDraw, top: RGB, bottom: RGB, until: int = HEIGHT) -> None:
    for y in range(until):
        draw.line([(0, y), (WIDTH, y)], fill=_mix(top, bottom, y / max(until - 1, 1)))


def _jitter(rng: random.Random, colour: RGB, amount: int = 18) -> RGB:
    r, g, b = (max(0, min(255, c + rng.randint(-amount, amount))) for c in colour)
    return (r, g, b)


def _city(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, _jitter(rng, (120, 170, 220)), (235, 225, 210))
    x = -20
    while x < WIDTH:
        w, h = rng.randint(70, 150), rng.randint(180, 480)
        body = _jitter(rng, (90, 100, 115), 25)
        draw.rectangle([x, HEIGHT - h, x + w, HEIGHT], fill=body)
        for wy in range(HEIGHT - h + 20, HEIGHT - 20, 28):
            for wx in range(x + 12, x + w - 12, 22):
                if rng.random() < 0.7:
                    draw.rectangle([wx, wy, wx + 10, wy + 14], fill=(210, 220, 230))
        x += w + rng.randint(4, 20)


def _parliament(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, _jitter(rng, (140, 180, 215)), (230, 232, 236))
    stone = _jitter(rng, (214, 204, 184), 10)
    draw.rectangle([0, 560, WIDTH, HEIGHT], fill=(150, 150, 145))
    draw.rectangle([220, 300, 980, 560], fill=stone)
    draw.polygon(
        [(200, 300), (600, 170), (1000, 300)], fill=_mix(stone, (255, 255, 255), 0.2)
    )
    draw.pieslice([500, 60, 700, 260], 180, 360, fill=_jitter(rng, (95, 130, 120)))
    for cx in range(260, 960, 70):
        draw.rectangle([cx, 320, cx + 26, 540], fill=(240, 235, 222))
    for step in range(4):
        draw.rectangle(
            [200 - step * 20, 540 + step * 6, 1000 + step * 20, 560 + step * 6],
            fill=(200, 195, 182),
        )
    draw.line([(600, 60), (600, 10)], fill=(60, 60, 60), width=4)
    draw.rectangle([600, 12, 660, 46], fill=_jitter(rng, (30, 90, 160), 30))


def _waves(
    draw: ImageDraw.ImageDraw, rng: random.Random, top: int, colour: RGB
) -> None:
    draw.rectangle([0, top, WIDTH, HEIGHT], fill=colour)
    for y in range(top + 10, HEIGHT, 22):
        phase = rng.random() * math.tau
        points = [
            (x, y + 5 * math.sin(x / 40 + phase)) for x in range(0, WIDTH + 20, 20)
        ]
        draw.line(points, fill=_mix(colour, (255, 255, 255), 0.35), width=2)


def _sea(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, _jitter(rng, (90, 140, 200)), (220, 230, 240), 380)
    _waves(draw, rng, 380, _jitter(rng, (30, 90, 140), 20))
    x = rng.randint(250, 850)
    draw.polygon(
        [(x, 400), (x + 180, 400), (x + 150, 440), (x + 25, 440)], fill=(60, 60, 70)
    )
    draw.rectangle([x + 60, 360, x + 110, 400], fill=(235, 235, 235))


def _port(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, _jitter(rng, (150, 175, 205)), (230, 228, 220), 430)
    _waves(draw, rng, 520, (40, 80, 110))
    draw.rectangle([0, 430, WIDTH, 520], fill=(120, 120, 118))
    colours = [(190, 60, 50), (40, 110, 160), (230, 170, 40), (60, 140, 90)]
    for row in range(3):
        for col in range(12):
            if rng.random() < 0.8:
                x, y = 80 + col * 80, 400 - row * 36
                draw.rectangle(
                    [x, y, x + 74, y + 32], fill=_jitter(rng, rng.choice(colours), 12)
                )
    for cx in (300, 750):
        draw.line([(cx, 430), (cx, 120)], fill=(200, 80, 40), width=10)
        draw.line([(cx - 120, 140), (cx + 260, 140)], fill=(200, 80, 40), width=10)


def _mountains(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, _jitter(rng, (110, 160, 215)), (225, 235, 245))
    for layer, base in enumerate(((120, 130, 150), (85, 100, 115), (60, 80, 70))):
        x = -200
        while x < WIDTH:
            w, h = rng.randint(300, 520), rng.randint(200, 420) - layer * 60
            peak = (x + w // 2, HEIGHT - 120 - h + layer * 70)
            draw.polygon(
                [(x, HEIGHT), peak, (x + w, HEIGHT)], fill=_jitter(rng, base, 8)
            )
            if layer < 2:
                cap = [
                    peak,
                    (peak[0] - w // 9, peak[1] + 60),
                    (peak[0] + w // 9, peak[1] + 60),
                ]
                draw.polygon(cap, fill=(245, 245, 250))
            x += w // 2 + rng.randint(40, 160)


def _stadium(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, (25, 35, 70), (70, 90, 140), 260)
    draw.rectangle([0, 200, WIDTH, HEIGHT], fill=_jitter(rng, (90, 90, 100)))
    draw.ellipse([60, 260, 1140, 760], fill=_jitter(rng, (60, 150, 70), 12))
    for i in range(10):
        if i % 2:
            draw.rectangle(
                [60 + i * 108, 260, 168 + i * 108, HEIGHT], fill=(70, 162, 80)
            )
    draw.ellipse([60, 260, 1140, 760], outline=(240, 240, 240), width=5)
    draw.line([(600, 260), (600, HEIGHT)], fill=(240, 240, 240), width=5)
    for x in (120, 1080):
        draw.line([(x, 60), (x, 220)], fill=(180, 180, 180), width=6)
        draw.rectangle([x - 40, 40, x + 40, 70], fill=(255, 250, 210))


def _rocket(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, (20, 40, 90), _jitter(rng, (240, 170, 110), 10))
    draw.rectangle([0, 560, WIDTH, HEIGHT], fill=(110, 100, 90))
    x = rng.randint(480, 680)
    draw.rectangle([x - 30, 150, x + 30, 520], fill=(240, 240, 240))
    draw.polygon([(x - 30, 150), (x, 80), (x + 30, 150)], fill=(200, 60, 50))
    draw.polygon([(x - 30, 470), (x - 70, 530), (x - 30, 520)], fill=(60, 60, 70))
    draw.polygon([(x + 30, 470), (x + 70, 530), (x + 30, 520)], fill=(60, 60, 70))
    draw.line([(x + 110, 560), (x + 110, 110)], fill=(150, 150, 150), width=14)
    for _i in range(30):
        r = rng.randint(30, 90)
        cx, cy = x + rng.randint(-220, 220), 540 + rng.randint(-20, 60)
        draw.ellipse(
            [cx - r, cy - r, cx + r, cy + r], fill=_jitter(rng, (225, 222, 218), 10)
        )


def _factory(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, _jitter(rng, (150, 160, 175)), (215, 210, 200))
    draw.rectangle([0, 500, WIDTH, HEIGHT], fill=(95, 90, 85))
    for i in range(4):
        x = 150 + i * 230
        draw.rectangle([x, 180 + i * 20, x + 50, 500], fill=_jitter(rng, (140, 70, 60)))
        for j in range(6):
            r = 30 + j * 12
            cx, cy = x + 25 + j * 28, 150 + i * 20 - j * 30
            draw.ellipse(
                [cx - r, cy - r, cx + r, cy + r], fill=_jitter(rng, (205, 205, 205), 8)
            )
    draw.rectangle([80, 360, 1120, 500], fill=_jitter(rng, (110, 115, 125)))
    for x in range(100, 1100, 60):
        draw.polygon([(x, 360), (x + 30, 330), (x + 60, 360)], fill=(90, 95, 105))


def _chart(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle([0, 0, WIDTH, HEIGHT], fill=(246, 247, 250))
    for y in range(100, 620, 65):
        draw.line([(100, y), (1120, y)], fill=(215, 218, 225), width=2)
    value = rng.uniform(250, 450)
    colour = _jitter(rng, (20, 100, 170), 20)
    for i in range(14):
        value = max(140, min(600, value + rng.uniform(-70, 70)))
        x = 120 + i * 72
        draw.rectangle([x, 620 - (620 - value), x + 48, 620], fill=colour)
    points = [
        (144 + i * 72, 600 - 380 * (0.5 + 0.4 * math.sin(i / 2.2 + rng.random())))
        for i in range(14)
    ]
    draw.line(points, fill=(200, 70, 40), width=6)
    draw.line([(100, 620), (1120, 620)], fill=(60, 60, 60), width=3)


def _fields(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, _jitter(rng, (120, 175, 225)), (250, 235, 200), 300)
    draw.ellipse([900, 60, 1010, 170], fill=(255, 225, 120))
    draw.rectangle([0, 300, WIDTH, HEIGHT], fill=_jitter(rng, (150, 170, 80)))
    for i in range(-10, 30):
        draw.line(
            [(600, 300), (i * 60 - 300, HEIGHT)],
            fill=_jitter(rng, (85, 120, 50), 10),
            width=8,
        )
    draw.polygon([(0, 300), (300, 250), (650, 300)], fill=(110, 140, 90))


def _night(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, (8, 12, 35), (40, 50, 90))
    for _ in range(120):
        x, y = rng.randint(0, WIDTH), rng.randint(0, 380)
        draw.point((x, y), fill=(255, 255, 240))
    draw.ellipse([960, 60, 1040, 140], fill=(245, 240, 210))
    x = 0
    while x < WIDTH:
        w, h = rng.randint(60, 140), rng.randint(150, 420)
        draw.rectangle([x, HEIGHT - h, x + w, HEIGHT], fill=(20, 24, 40))
        for wy in range(HEIGHT - h + 16, HEIGHT - 16, 26):
            for wx in range(x + 10, x + w - 10, 20):
                if rng.random() < 0.35:
                    draw.rectangle([wx, wy, wx + 9, wy + 12], fill=(250, 210, 110))
        x += w + 6


def _snow(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    _sky(draw, (170, 195, 225), (235, 240, 248), 330)
    draw.polygon(
        [(0, 330), (WIDTH, 230), (WIDTH, HEIGHT), (0, HEIGHT)], fill=(248, 250, 253)
    )
    for _ in range(18):
        x, y = rng.randint(0, WIDTH), rng.randint(250, 420)
        draw.polygon([(x, y - 90), (x - 35, y), (x + 35, y)], fill=(40, 90, 60))
        draw.polygon(
            [(x, y - 90), (x - 14, y - 55), (x + 14, y - 55)], fill=(250, 250, 255)
        )
    for _ in range(260):
        x, y = rng.randint(0, WIDTH), rng.randint(0, HEIGHT)
        draw.ellipse([x, y, x + 4, y + 4], fill=(255, 255, 255))


def _theatre(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    red = _jitter(rng, (150, 20, 35), 15)
    draw.rectangle([0, 0, WIDTH, HEIGHT], fill=(20, 15, 20))
    draw.polygon([(600, 0), (250, HEIGHT), (950, HEIGHT)], fill=(90, 80, 60))
    draw.rectangle([0, 520, WIDTH, HEIGHT], fill=(80, 50, 30))
    for i in range(8):
        draw.rectangle(
            [i * 40, 0, i * 40 + 36, HEIGHT], fill=_mix(red, (0, 0, 0), (i % 2) * 0.25)
        )
        draw.rectangle(
            [WIDTH - (i + 1) * 40, 0, WIDTH - i * 40 - 4, HEIGHT],
            fill=_mix(red, (0, 0, 0), (i % 2) * 0.25),
        )
    draw.rectangle([0, 0, WIDTH, 70], fill=_mix(red, (0, 0, 0), 0.1))
    draw.ellipse([540, 380, 660, 520], fill=(30, 30, 35))


def _lab(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle([0, 0, WIDTH, HEIGHT], fill=(228, 236, 240))
    draw.rectangle([0, 470, WIDTH, HEIGHT], fill=(70, 80, 90))
    for i in range(6):
        x = 120 + i * 170
        colour = _jitter(
            rng, rng.choice([(60, 160, 200), (90, 190, 120), (220, 140, 60)]), 20
        )
        draw.rectangle([x + 30, 260, x + 60, 340], outline=(120, 130, 140), width=4)
        draw.polygon(
            [(x + 30, 340), (x - 10, 470), (x + 100, 470), (x + 60, 340)],
            fill=(235, 242, 245),
            outline=(120, 130, 140),
        )
        draw.polygon(
            [(x + 5, 420), (x - 10, 468), (x + 100, 468), (x + 85, 420)], fill=colour
        )
    draw.rectangle([0, 120, WIDTH, 140], fill=(190, 200, 205))


PAINTERS: dict[str, Painter] = {
    "city": _city,
    "parliament": _parliament,
    "sea": _sea,
    "port": _port,
    "mountains": _mountains,
    "stadium": _stadium,
    "rocket": _rocket,
    "factory": _factory,
    "chart": _chart,
    "fields": _fields,
    "night": _night,
    "snow": _snow,
    "theatre": _theatre,
    "lab": _lab,
}


def draw_picture(subject: str, *, seed: str) -> bytes:
    """A JPEG of the given kind; the same seed always gives the same picture."""
    if subject not in PAINTERS:
        raise ValueError(
            f"Unknown picture kind {subject!r}; known: {', '.join(PAINTERS)}"
        )
    image = Image.new("RGB", (WIDTH, HEIGHT))
    PAINTERS[subject](ImageDraw.Draw(image), random.Random(seed))  # noqa: S311 - not crypto
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=82, optimize=True, progressive=True)
    return out.getvalue()


# Portraits for person pages: 4:5, as a page crops them, and small, so that
# their renditions cost the demo little.
PORTRAIT_WIDTH, PORTRAIT_HEIGHT = 480, 600
HAIR: dict[str, RGB] = {
    "black": (34, 30, 32),
    "brown": (96, 62, 40),
    "fair": (212, 182, 120),
    "grey": (168, 168, 172),
    "white": (232, 232, 228),
}
JACKETS: dict[str, RGB] = {
    "navy": (34, 46, 82),
    "charcoal": (62, 64, 70),
    "green": (44, 82, 62),
    "burgundy": (112, 36, 52),
    "beige": (188, 168, 138),
}
SKIN: tuple[RGB, ...] = (
    (242, 206, 174),
    (226, 176, 134),
    (198, 142, 102),
    (150, 102, 72),
    (104, 70, 50),
)


def draw_portrait(*, hair: str, jacket: str, seed: str) -> bytes:
    """A JPEG head-and-shoulders portrait, drawn flat and faceless against a
    studio backdrop: ``hair`` and ``jacket`` name the colours (HAIR,
    JACKETS) so that the alternative text can say what the picture shows;
    the seed picks the rest."""
    if hair not in HAIR or jacket not in JACKETS:
        raise ValueError(
            f"Unknown portrait colours {hair!r}/{jacket!r}; hair: "
            f"{', '.join(HAIR)}; jackets: {', '.join(JACKETS)}"
        )
    rng = random.Random(seed)  # noqa: S311 - not crypto
    w, h = PORTRAIT_WIDTH, PORTRAIT_HEIGHT
    image = Image.new("RGB", (w, h))
    draw = ImageDraw.Draw(image)
    top, bottom = _jitter(rng, (112, 128, 146), 14), _jitter(rng, (192, 198, 206), 8)
    for y in range(h):
        draw.line([(0, y), (w, y)], fill=_mix(top, bottom, y / (h - 1)))
    skin, hair_colour = rng.choice(SKIN), HAIR[hair]
    cx = w // 2 + rng.randint(-12, 12)
    long_hair = rng.random() < 0.5
    if long_hair:  # behind the head, down to the shoulders
        draw.rounded_rectangle([cx - 108, 130, cx + 108, 420], 90, fill=hair_colour)
    # Shoulders and jacket, an open collar and the shirt inside it.
    draw.rounded_rectangle([cx - 210, 440, cx + 210, h + 80], 120, fill=JACKETS[jacket])
    draw.polygon([(cx - 58, 440), (cx, 540), (cx + 58, 440)], fill=(244, 244, 240))
    draw.rectangle([cx - 36, 340, cx + 36, 452], fill=_mix(skin, (0, 0, 0), 0.12))
    draw.polygon([(cx - 36, 452), (cx, 500), (cx + 36, 452)], fill=skin)
    lapel = _mix(JACKETS[jacket], (0, 0, 0), 0.25)
    draw.polygon([(cx - 58, 440), (cx - 16, 560), (cx - 92, 470)], fill=lapel)
    draw.polygon([(cx + 58, 440), (cx + 16, 560), (cx + 92, 470)], fill=lapel)
    # The head, then the hair over its crown.
    draw.ellipse([cx - 86, 150, cx + 86, 380], fill=skin)
    draw.ellipse([cx - 98, 248, cx - 78, 296], fill=skin)
    draw.ellipse([cx + 78, 248, cx + 98, 296], fill=skin)
    draw.chord([cx - 92, 128, cx + 92, 330], 180, 360, fill=hair_colour)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=84, optimize=True, progressive=True)
    return out.getvalue()


# The charts' lettering: DejaVu Sans where the machine has it (Debian's
# fonts-dejavu-core; Pillow finds it by name in the system's font folders),
# else the font Pillow carries, which lacks some of the demo's characters
# (the en dash of "2024–2027"); those are drawn as their nearest plain
# character rather than as a missing-glyph box.
CHART_FONTS = ("DejaVuSans.ttf",)
PLAIN_FORMS = {
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2018": "'", "\u2019": "'",
    "\u201c": '"', "\u201d": '"', "\u2026": "...", "\u00d7": "x", "\u00a0": " ",
}  # fmt: skip
# A character no font draws (the last of the private-use planes): what a
# font draws for it is its missing-glyph box.
NO_GLYPH = chr(0x10FFFD)


def chart_font(size: int) -> Font:
    for name in CHART_FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def missing_glyphs(text: str, font: Font) -> set[str]:
    """The characters of ``text`` that ``font`` would draw as a box."""

    def drawn(character: str) -> tuple[tuple[int, int], bytes]:
        mask = font.getmask(character)
        return mask.size, bytes(mask)

    box = drawn(NO_GLYPH)
    return {c for c in set(text) if not c.isascii() and drawn(c) == box}


def drawable(text: str, font: Font) -> str:
    """``text`` with each character ``font`` lacks in its plain form."""
    missing = missing_glyphs(text, font)
    if not missing:
        return text
    return "".join(PLAIN_FORMS.get(c, "?") if c in missing else c for c in text)


def draw_bar_chart(
    title: str, rows: list[tuple[str, float]], *, unit: str, seed: str
) -> bytes:
    """A PNG bar chart of the given rows, labelled with their values: what it
    draws is exactly the data table shown beside it."""
    rng = random.Random(seed)  # noqa: S311 - not crypto
    colour = _jitter(rng, (20, 100, 170), 25)
    image = Image.new("RGB", (WIDTH, HEIGHT), (250, 250, 252))
    draw = ImageDraw.Draw(image)
    heading = chart_font(34)
    label = chart_font(22)
    draw.text((60, 36), drawable(title, heading), fill=(22, 24, 29), font=heading)
    draw.text((60, 84), drawable(unit, label), fill=(85, 91, 102), font=label)
    top, bottom, left, right = 150, HEIGHT - 80, 60, WIDTH - 60
    highest = max(value for _, value in rows) or 1.0
    slot = (right - left) / len(rows)
    draw.line([(left, bottom), (right, bottom)], fill=(60, 60, 60), width=3)
    for index, (name, value) in enumerate(rows):
        x0 = left + index * slot + slot * 0.18
        x1 = left + (index + 1) * slot - slot * 0.18
        y = bottom - (bottom - top - 40) * value / highest
        draw.rectangle([x0, y, x1, bottom], fill=colour)
        centre = (x0 + x1) / 2
        draw.text(
            (centre, y - 8), f"{value:g}", fill=(22, 24, 29), font=label, anchor="md"
        )
        draw.text(
            (centre, bottom + 12),
            drawable(name, label),
            fill=(22, 24, 29),
            font=label,
            anchor="ma",
        )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
