"""Renditions: each picture in a few widths, in AVIF, WebP and a fallback format.

Pure image work (bytes in, bytes out) plus the names the files are stored
under; the writes happen in ``content.services``. A picture's renditions are
kept as a JSON list on its own row (``Photo.renditions``), not in a table of
their own: they are always read together with the picture, so a page showing
twenty pictures costs no extra query, and they are written once, all at a time.

An entry reads ``{"type": "image/webp", "width": 640, "height": 360,
"name": "renditions/photos/2025/01/harbour/640.webp"}``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol

from dateline.core import images
from dateline.core.images import PICTURE_FORMATS
from dateline.core.images import ImageRejectedError as ImageRejectedError

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile
    from PIL import Image

# Pillow is imported where pixels are handled (pages only read the names
# below; see core.images).

# Widths a page may ask for; a picture is never enlarged, so a narrower
# original gets the widths below its own and its own width.
WIDTHS = (320, 640, 960, 1280)
# What an upload may be: bytes, and pixels once decoded (a decompression bomb
# is a small file that decodes into gigabytes).
MAX_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 50_000_000
AVIF, WEBP, JPEG, PNG = "image/avif", "image/webp", "image/jpeg", "image/png"
# Most preferred first: the order of the <source> elements.
MODERN_TYPES = (AVIF, WEBP)
_ENCODERS: dict[str, tuple[str, str, dict[str, Any]]] = {
    AVIF: ("AVIF", "avif", {"quality": 55, "speed": 8}),
    WEBP: ("WEBP", "webp", {"quality": 80, "method": 4}),
    JPEG: ("JPEG", "jpg", {"quality": 82, "optimize": True, "progressive": True}),
    PNG: ("PNG", "png", {"optimize": True}),
}


class HasRenditions(Protocol):
    """A row with an image and its renditions (a photo, an infographic)."""

    pk: Any
    image: FieldFile
    width: int
    height: int
    alt_text: str
    renditions: list[dict[str, Any]]

    def save(self, *args: Any, **kwargs: Any) -> None: ...

    def delete(self, *args: Any, **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class EncodedRendition:
    media_type: str
    width: int
    height: int
    data: bytes

    @property
    def extension(self) -> str:
        return _ENCODERS[self.media_type][1]


def check_size(size: int | None) -> None:
    if not size:
        raise ImageRejectedError("The file is empty.")
    if size > MAX_BYTES:
        raise ImageRejectedError(
            f"The file is {size / 1_048_576:.1f} MB; pictures may be at most "
            f"{MAX_BYTES // 1_048_576} MB."
        )


def open_image(data: bytes) -> Image.Image:
    """Decode a picture fully, or say clearly why it is refused.

    The byte size is checked first and the pixel count before any pixel is
    decoded, so an oversized file or a decompression bomb costs no memory.
    """
    check_size(len(data))
    image = images.open_image(data, formats=PICTURE_FORMATS, max_pixels=MAX_PIXELS)
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ImageRejectedError(
            "The picture is damaged or cut short and cannot be decoded."
        ) from None
    return image


def target_widths(width: int) -> list[int]:
    """The widths to make for an original this wide, never wider than it."""
    return sorted({*(w for w in WIDTHS if w < width), min(width, WIDTHS[-1])})


def fallback_type(image: Image.Image) -> str:
    """PNG for pictures with transparency or drawn as PNG, JPEG otherwise."""
    if image.format == "PNG" or _has_alpha(image):
        return PNG
    return JPEG


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )


def encode_renditions(data: bytes) -> list[EncodedRendition]:
    """Every rendition of a picture, smallest first in each format.

    Raises ImageRejectedError for anything that is not an acceptable picture.
    """
    from PIL import Image, ImageOps

    source = open_image(data)
    fallback = fallback_type(source)
    image = ImageOps.exif_transpose(source)
    image = image.convert("RGBA" if _has_alpha(source) else "RGB")
    encoded = []
    for width in target_widths(image.width):
        height = max(1, round(image.height * width / image.width))
        sized = (
            image
            if width == image.width
            else image.resize((width, height), Image.Resampling.LANCZOS)
        )
        for media_type in (*MODERN_TYPES, fallback):
            pil_format, _, options = _ENCODERS[media_type]
            frame = sized
            if media_type == JPEG and frame.mode != "RGB":
                frame = frame.convert("RGB")
            out = io.BytesIO()
            frame.save(out, format=pil_format, **options)
            encoded.append(EncodedRendition(media_type, width, height, out.getvalue()))
    return encoded


def rendition_name(image_name: str, rendition: EncodedRendition) -> str:
    """Where a rendition is stored: beside nothing else, under renditions/."""
    return f"{rendition_prefix(image_name)}{rendition.width}.{rendition.extension}"


def rendition_prefix(image_name: str) -> str:
    """The folder of a picture's renditions, ending in a slash."""
    return f"renditions/{PurePosixPath(image_name).with_suffix('')}/"


def entry(rendition: EncodedRendition, name: str) -> dict[str, Any]:
    """The JSON entry kept on the row for one stored rendition."""
    return {
        "type": rendition.media_type,
        "width": rendition.width,
        "height": rendition.height,
        "name": name,
    }
