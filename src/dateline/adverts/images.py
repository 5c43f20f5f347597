"""Advert images: small, ordinary raster files that Pillow can decode safely.

An upload is refused, with a message the newsroom can act on, when it is too
many bytes, too many pixels (a decompression bomb included), not an image, or
in a format browsers cannot be relied on to show. One that passes is written
again from its pixels (``core.images.clean_image``) and stored under a name
the server makes (``core.uploads``).
"""

from __future__ import annotations

import warnings
from typing import IO, TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError

from dateline.core import images

if TYPE_CHECKING:
    from django.core.files import File

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4000
MAX_PIXELS = 8_000_000
FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "GIF", "WEBP": "WebP", "AVIF": "AVIF"}


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_advert_image(upload: File[Any] | IO[bytes]) -> None:
    """Raise ValidationError unless the file is an advert image we accept."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(
            "This file is %(size)s; an advert image may be at most %(limit)s.",
            code="image_too_large",
            params={"size": _megabytes(size), "limit": _megabytes(MAX_BYTES)},
        )
    from PIL import Image, UnidentifiedImageError  # where an upload is checked

    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own limit; refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format = image.format or ""
                width, height = image.size
                if image_format in FORMATS:
                    _check_pixels(width, height)
                    image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            "This image has too many pixels to decode safely; an advert image "
            "may be at most %(side)s pixels on a side.",
            code="image_bomb",
            params={"side": MAX_SIDE},
        ) from None
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError(
            "This file is not an image that can be read (or it is damaged). "
            "Upload a JPEG, PNG, WebP, AVIF or GIF file.",
            code="image_unreadable",
        ) from None
    finally:
        upload.seek(0)
    if image_format not in FORMATS:
        raise ValidationError(
            "%(format)s images are not accepted; upload a JPEG, PNG, WebP, "
            "AVIF or GIF file.",
            code="image_format",
            params={"format": image_format or "This kind of"},
        )


def _check_pixels(width: int, height: int) -> None:
    if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
        raise ValidationError(
            "This image is %(width)s by %(height)s pixels; an advert image may be "
            "at most %(side)s pixels on a side and %(pixels)s million pixels.",
            code="image_dimensions",
            params={
                "width": width,
                "height": height,
                "side": MAX_SIDE,
                "pixels": MAX_PIXELS // 1_000_000,
            },
        )


def clean_advert_image(upload: File[Any] | IO[bytes]) -> images.CleanImage:
    """The advert image checked, then written again from its pixels (nothing
    but the picture survives: see core.images); ValidationError otherwise."""
    check_advert_image(upload)
    upload.seek(0)
    try:
        return images.clean_image(
            upload.read(),
            formats={name: images.UPLOAD_FORMATS[name] for name in FORMATS},
            max_pixels=MAX_PIXELS,
            max_side=MAX_SIDE,
        )
    except images.ImageRejectedError as error:
        raise ValidationError(str(error), code="image_unreadable") from None
    finally:
        upload.seek(0)


def validate_advert_image(value: Any) -> None:
    """Model validator: checks a new upload; a file already stored passes."""
    if not value or getattr(value, "_committed", False):
        return
    check_advert_image(value.file if hasattr(value, "file") else value)


class AdvertImageField(forms.ImageField):
    """Django's image field, with our checks first so that the newsroom reads
    why an upload is refused instead of "not a valid image"."""

    def to_python(self, data: Any) -> Any:
        if data not in self.empty_values and hasattr(data, "read"):
            data = clean_advert_image(data)
        return super().to_python(data)
