"""Uploaded pictures made safe: decoded, and written again from their pixels.

Every picture a person uploads (photos, infographics, advert images) passes
through ``clean_image`` before it is stored. Pillow detects the format from the
bytes, never from the file's name; only the formats asked for are opened at all.
The pixels are then encoded afresh in the same format, so nothing of the file
but its picture survives: bytes appended after the image (a page or a script
that makes the file a polyglot), comments, thumbnails, and the EXIF block with
its GPS position and camera serials. The EXIF orientation is applied to the
pixels first, so the picture stays upright without it.

The words editors rely on travel on: the caption, the credit, the creator
(by-line) and the copyright notice, read from the IPTC IIM block (JPEG) or the
XMP packet (JPEG, PNG, WebP), are written back as a fresh XMP packet
(dc:description, photoshop:Credit, dc:creator, dc:rights) in JPEG, PNG and
WebP, and as IPTC IIM records (2:120, 2:110, 2:80, 2:116, UTF-8) in JPEG too,
where most newsroom tools look first. GIF can carry neither as Pillow writes
it: a GIF keeps its pixels only. An animated GIF keeps its first frame. The ICC
colour profile is kept, so colours do not shift.

Memory: the pixel count is checked before any pixel is decoded, and a picture
larger than ``max_side`` is scaled down; a JPEG is decoded at once at the
smallest power-of-two scale still at least that size (libjpeg's DCT scaling,
``Image.draft``), so an 8000 by 6000 photo is decoded as 4000 by 3000 pixels.
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from defusedxml import ElementTree
from django.core.files.base import ContentFile

if TYPE_CHECKING:
    from collections.abc import Mapping

    from PIL import Image, ImageFile

# Pillow is imported by the functions that read or write pixels, not here:
# pages import this module through the models, and a server worker that never
# handles an upload need not hold Pillow (7 MiB; docs/decisions/serve-memory.md).

# What a newsroom picture may be: Pillow's format name → (media type, extension).
PICTURE_FORMATS: Mapping[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "GIF": ("image/gif", "gif"),
}
# Every format an upload field accepts: adverts add AVIF to the pictures'.
UPLOAD_FORMATS: Mapping[str, tuple[str, str]] = {
    **PICTURE_FORMATS,
    "AVIF": ("image/avif", "avif"),
}
# Every image type the site itself stores (renditions add AVIF): what the
# media view and nginx may answer as a picture.
MEDIA_TYPES: Mapping[str, str] = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "avif": "image/avif",
}
# The stored copy of a picture is at most this many pixels on its long side:
# three times the widest rendition (1280), more than any screen shows.
MAX_SIDE = 3840

_NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "xml": "http://www.w3.org/XML/1998/namespace",
}
# IPTC IIM datasets of record 2 that we keep.
_IIM_BYLINE, _IIM_COPYRIGHT, _IIM_CREDIT, _IIM_CAPTION = 80, 116, 110, 120


class ImageRejectedError(ValueError):
    """The file is not a picture this site accepts; the message says why."""


@dataclass(frozen=True)
class PictureWords:
    """The words that travel inside a picture file."""

    caption: str = ""
    credit: str = ""
    creators: tuple[str, ...] = field(default_factory=tuple)
    rights: str = ""

    def __bool__(self) -> bool:
        return bool(self.caption or self.credit or self.creators or self.rights)


class CleanImage(ContentFile):  # type: ignore[type-arg]
    """A picture as ``clean_image`` wrote it: its bytes, named by its format."""

    def __init__(
        self, data: bytes, *, image_format: str, width: int, height: int
    ) -> None:
        media_type, extension = UPLOAD_FORMATS[image_format]
        super().__init__(data, name=f"picture.{extension}")
        self.image_format = image_format
        self.media_type = media_type
        self.extension = extension
        self.width = width
        self.height = height


def format_names(formats: Mapping[str, tuple[str, str]]) -> str:
    """E.g. "JPEG, PNG, WebP or GIF"."""
    names = [{"WEBP": "WebP"}.get(name, name) for name in formats]
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


def open_image(
    data: bytes | IO[bytes],
    *,
    formats: Mapping[str, tuple[str, str]] = PICTURE_FORMATS,
    max_pixels: int,
) -> ImageFile.ImageFile:
    """Open a picture without decoding it, refusing any other format and any
    picture of more than ``max_pixels`` (a decompression bomb included)."""
    from PIL import Image

    source = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own limit; refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(source, formats=list(formats))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejectedError(_too_many_pixels(max_pixels)) from None
    except (OSError, SyntaxError, ValueError):
        raise ImageRejectedError(
            "The file is not a picture that can be read; upload a "
            f"{format_names(formats)} file."
        ) from None
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageRejectedError("The picture has no pixels.")
    if width * height > max_pixels:
        raise ImageRejectedError(
            f"The picture is {width:,} by {height:,} pixels; "
            + _too_many_pixels(max_pixels)
        )
    return image


def _too_many_pixels(max_pixels: int) -> str:
    return (
        f"pictures may have at most {max_pixels / 1_000_000:.0f} megapixels "
        "(for example 8,000 by 6,000 pixels)."
        if max_pixels >= 48_000_000
        else f"pictures may have at most {max_pixels / 1_000_000:.0f} megapixels."
    )


def detect_format(
    data: bytes | IO[bytes],
    *,
    formats: Mapping[str, tuple[str, str]] = PICTURE_FORMATS,
) -> str:
    """The picture's format as Pillow reads it from its first bytes (no
    pixel is decoded); ImageRejectedError for anything else."""
    return str(open_image(data, formats=formats, max_pixels=2**62).format)


def clean_image(
    data: bytes,
    *,
    formats: Mapping[str, tuple[str, str]] = PICTURE_FORMATS,
    max_pixels: int,
    max_side: int = MAX_SIDE,
) -> CleanImage:
    """The picture encoded afresh from its pixels, in its own format, with its
    words (see the module's docstring); ImageRejectedError, saying why, for a
    file that is not an acceptable picture or cannot be decoded."""
    from PIL import Image, ImageOps, PngImagePlugin

    source = open_image(data, formats=formats, max_pixels=max_pixels)
    image: Image.Image = source
    image_format = str(source.format)
    words = read_words(source)
    icc_profile = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    if image_format == "JPEG":
        image.draft(None, _fitted(image.size, max_side))
    try:
        image.load()
        if max(image.size) > max_side:
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        ImageOps.exif_transpose(image, in_place=True)
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ImageRejectedError(
            "The picture is damaged or cut short and cannot be decoded."
        ) from None
    # Nothing of the source's own metadata is written again unless named below
    # (Pillow's encoders fall back to it: a JPEG's comment, a GIF's extensions).
    image.info = {}
    out = io.BytesIO()
    if image_format == "JPEG":
        if image.mode not in {"L", "RGB", "CMYK"}:
            image = image.convert("RGB")
        image.save(
            out,
            format="JPEG",
            quality=90,
            progressive=True,
            icc_profile=icc_profile,
            xmp=_jpeg_xmp(words),
            extra=iim_segment(words) if words else b"",
        )
    elif image_format == "PNG":
        if image.mode not in {"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"}:
            image = image.convert("RGBA")
        info = PngImagePlugin.PngInfo()
        if words:
            info.add_itxt("XML:com.adobe.xmp", xmp_packet(words).decode())
        options: dict[str, object] = {"pnginfo": info, "icc_profile": icc_profile}
        if transparency is not None and image.mode in {"1", "L", "P", "RGB"}:
            options["transparency"] = transparency
        image.save(out, format="PNG", **options)
    elif image_format == "WEBP":
        if image.mode not in {"RGB", "RGBA"}:
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        image.save(
            out,
            format="WEBP",
            quality=90,
            method=4,
            icc_profile=icc_profile or "",
            xmp=xmp_packet(words) if words else b"",
        )
    elif image_format == "GIF":
        if image.mode not in {"P", "L"}:
            image = image.convert("RGBA").convert("P", palette=Image.Palette.ADAPTIVE)
        options = {}
        if transparency is not None and isinstance(transparency, int):
            options["transparency"] = transparency
        image.save(out, format="GIF", **options)
    else:  # a format a caller allowed that is not written here (AVIF)
        if image.mode not in {"RGB", "RGBA"}:
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        image.save(out, format=image_format, icc_profile=icc_profile or b"")
    width, height = image.size
    return CleanImage(
        out.getvalue(), image_format=image_format, width=width, height=height
    )


def _fitted(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


# --- The words inside a picture --------------------------------------------------


def read_words(image: ImageFile.ImageFile) -> PictureWords:
    """Caption, credit, creators and rights from the XMP packet, or from the
    IPTC IIM block where the packet has none."""
    from_xmp = _xmp_words(image.info.get("xmp"))
    from_iim = _iim_words(image)
    return PictureWords(
        caption=from_xmp.caption or from_iim.caption,
        credit=from_xmp.credit or from_iim.credit,
        creators=from_xmp.creators or from_iim.creators,
        rights=from_xmp.rights or from_iim.rights,
    )


def _iim_words(image: ImageFile.ImageFile) -> PictureWords:
    from PIL import IptcImagePlugin

    try:
        records = IptcImagePlugin.getiptcinfo(image) or {}
    except (OSError, SyntaxError, ValueError, IndexError, struct.error):
        return PictureWords()

    def texts(dataset: int) -> list[str]:
        value = records.get((2, dataset))
        values = value if isinstance(value, list) else [value] if value else []
        return [_decode(v) for v in values if isinstance(v, bytes)]

    return PictureWords(
        caption="\n".join(texts(_IIM_CAPTION)),
        credit=" ".join(texts(_IIM_CREDIT)),
        creators=tuple(texts(_IIM_BYLINE)),
        rights=" ".join(texts(_IIM_COPYRIGHT)),
    )


def _decode(value: bytes) -> str:
    try:
        return value.decode().strip()
    except UnicodeDecodeError:
        return value.decode("latin-1").strip()


def _xmp_words(packet: object) -> PictureWords:
    if isinstance(packet, str):
        packet = packet.encode()
    if not isinstance(packet, bytes) or not packet.strip():
        return PictureWords()
    try:
        root = ElementTree.fromstring(packet.strip(b"\x00 \r\n\t"))
    except Exception:
        return PictureWords()
    found: dict[str, list[str]] = {}
    for tag in ("dc:description", "photoshop:Credit", "dc:creator", "dc:rights"):
        prefix, name = tag.split(":")
        qualified = f"{{{_NS[prefix]}}}{name}"
        values: list[str] = []
        for description in root.iter(f"{{{_NS['rdf']}}}Description"):
            if qualified in description.attrib:
                values.append(description.attrib[qualified].strip())
            for element in description.iter(qualified):
                items = list(element.iter(f"{{{_NS['rdf']}}}li"))
                values += [(i.text or "").strip() for i in items] or [
                    (element.text or "").strip()
                ]
        found[tag] = [value for value in values if value]
    return PictureWords(
        caption=(found["dc:description"] or [""])[0],
        credit=(found["photoshop:Credit"] or [""])[0],
        creators=tuple(found["dc:creator"]),
        rights=(found["dc:rights"] or [""])[0],
    )


def xmp_packet(words: PictureWords) -> bytes:
    """A minimal XMP packet holding the words and nothing else."""
    alt = '<rdf:Alt><rdf:li xml:lang="x-default">{}</rdf:li></rdf:Alt>'
    parts = []
    if words.creators:
        items = "".join(f"<rdf:li>{escape(c)}</rdf:li>" for c in words.creators)
        parts.append(f"<dc:creator><rdf:Seq>{items}</rdf:Seq></dc:creator>")
    if words.caption:
        parts.append(
            f"<dc:description>{alt.format(escape(words.caption))}</dc:description>"
        )
    if words.rights:
        parts.append(f"<dc:rights>{alt.format(escape(words.rights))}</dc:rights>")
    credit = f" photoshop:Credit={quoteattr(words.credit)}" if words.credit else ""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        f'<x:xmpmeta xmlns:x="{_NS["x"]}"><rdf:RDF xmlns:rdf="{_NS["rdf"]}">'
        f'<rdf:Description rdf:about="" xmlns:dc="{_NS["dc"]}" '
        f'xmlns:photoshop="{_NS["photoshop"]}"{credit}>'
        + "".join(parts)
        + '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def iim_segment(words: PictureWords) -> bytes:
    """A JPEG APP13 segment (Photoshop 3.0, resource 0x0404) holding the words
    as IPTC IIM records in UTF-8."""

    def dataset(record: int, number: int, value: bytes) -> bytes:
        return struct.pack(">BBBH", 0x1C, record, number, len(value)) + value

    records = dataset(1, 90, b"\x1b%G")  # coded character set: UTF-8
    records += dataset(2, 0, b"\x00\x04")  # record version
    for creator in words.creators:
        records += dataset(2, _IIM_BYLINE, creator.encode()[:32767])
    for number, text in (
        (_IIM_COPYRIGHT, words.rights),
        (_IIM_CREDIT, words.credit),
        (_IIM_CAPTION, words.caption),
    ):
        if text:
            records += dataset(2, number, text.encode()[:32767])
    if len(records) % 2:
        records += b"\x00"
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00"
    resource += struct.pack(">I", len(records)) + records
    body = b"Photoshop 3.0\x00" + resource
    if len(body) + 2 > 0xFFFF:
        return b""  # too long for one segment: the XMP packet still has them
    return b"\xff\xed" + struct.pack(">H", len(body) + 2) + body


# A JPEG's APP1 segment holds at most 65,535 bytes, less its header and the
# XMP namespace; Pillow refuses a longer packet (a ValueError).
JPEG_XMP_LIMIT = 65_504


def _jpeg_xmp(words: PictureWords | None) -> bytes:
    """The XMP packet for a JPEG, or none when the words would not fit one
    segment (the IPTC segment, capped on its own, still carries them)."""
    if not words:
        return b""
    packet = xmp_packet(words)
    return packet if len(packet) <= JPEG_XMP_LIMIT else b""
