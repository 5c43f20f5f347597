"""Adverts for tests: an image advert by default, a snippet on request."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

from django.core.files.base import ContentFile
from PIL import Image

from dateline.adverts import services
from dateline.adverts.models import Advert, Placement


def png_bytes(width: int = 300, height: int = 250) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 60, 40)).save(out, format="PNG")
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` by ``height`` pixels."""
    data = png_bytes(1, 1)
    ihdr = b"IHDR" + struct.pack(">II", width, height) + data[24:29]
    return data[:12] + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + data[33:]


def placement(key: str, **changes: Any) -> Placement:
    found = Placement.objects.get(key=key)
    if changes:
        for name, value in changes.items():
            setattr(found, name, value)
        found.save()
    return found


def image_advert(key: str = "sidebar", **fields: Any) -> Advert:
    values: dict[str, Any] = {
        "name": f"Test advert in {key}",
        "kind": Advert.Kind.IMAGE,
        "image": ContentFile(png_bytes(), name="advert.png"),
        "alt_text": "Archive photos for your newsroom",
        "target_url": "https://archive.example/licensing",
    }
    values.update(fields)
    return services.save_advert(
        advert=Advert(placement=placement(key), **values), actor=None
    )


def snippet_advert(key: str = "sidebar", html: str = "", **fields: Any) -> Advert:
    values: dict[str, Any] = {
        "name": f"Test snippet in {key}",
        "kind": Advert.Kind.SNIPPET,
        "html": html
        or '<p>Read <a href="https://news.example/letter">the letter</a></p>',
    }
    values.update(fields)
    return services.save_advert(
        advert=Advert(placement=placement(key), **values), actor=None
    )
