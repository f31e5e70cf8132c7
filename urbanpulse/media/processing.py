"""Pillow work: checking that an upload is a still photo we can read, and deriving the served sizes."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from urbanpulse.core.errors import ValidationFailed
from urbanpulse.media.errors import UnsupportedMediaType

ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
DECLARED_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg"}
WIDTHS = (320, 640, 1280, 2048)
FORMATS = {"webp": ("WEBP", "image/webp"), "jpg": ("JPEG", "image/jpeg")}
ENCODER_OPTIONS = {"webp": {"quality": 80, "method": 4}, "jpg": {"quality": 82, "optimize": True, "progressive": True}}
CONTENT_TYPES = {ext: content_type for ext, (_, content_type) in FORMATS.items()}
_ORIENTATION_TAG = 0x0112
_SWAPPING_ORIENTATIONS = {5, 6, 7, 8}


@dataclass(frozen=True)
class Inspected:
    """An accepted upload: its bytes, content address, type and displayed size (orientation applied)."""

    data: bytes
    key: str
    content_type: str
    width: int
    height: int


@dataclass(frozen=True)
class Rendition:
    """One derived file."""

    width: int
    height: int
    ext: str
    data: bytes

    @property
    def key(self) -> str:
        """Its content address with its extension."""
        return f"{hashlib.sha256(self.data).hexdigest()}.{self.ext}"


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed.field(field, message, location="files")


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096].lower()


def _open(data: bytes, field: str, max_pixels: int) -> Image.Image:
    if _looks_like_svg(data):
        raise UnsupportedMediaType(
            "SVG images are not accepted (they can carry scripts); upload a JPEG, PNG or WebP",
            errors=[{"field": field, "in": "files", "messages": ["SVG is not accepted"]}],
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(ACCEPTED))
    except Image.DecompressionBombError:
        raise _refuse(field, f"the image declares more than the limit of {max_pixels:,} pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        image = None
    if image is None or image.format not in ACCEPTED:
        raise UnsupportedMediaType(
            "not an image this service reads; upload a JPEG, PNG, WebP or still GIF",
            errors=[{"field": field, "in": "files", "messages": ["not a JPEG, PNG, WebP or GIF image"]}],
        )
    if image.width * image.height > max_pixels:
        raise _refuse(field, f"{image.width} x {image.height} pixels is over the limit of {max_pixels:,} pixels")
    return image


def inspect(data: bytes, *, declared_type: str | None, field: str, max_pixels: int) -> Inspected:
    """Check an uploaded file fully (type, size in pixels, one frame, decodes to the end); 415/422 otherwise."""
    if not data:
        raise _refuse(field, "the file is empty")
    image = _open(data, field, max_pixels)
    content_type = ACCEPTED[image.format]
    declared = DECLARED_ALIASES.get(declared_type or "", declared_type)
    if declared != content_type:
        raise UnsupportedMediaType(
            f"the file is {content_type} but was sent as {declared_type or 'no type'}",
            errors=[{"field": field, "in": "files", "messages": [f"Content-Type must be {content_type}"]}],
        )
    if getattr(image, "is_animated", False):
        raise _refuse(field, "animated images are not accepted; upload a still image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            if image.format == "JPEG":
                image.draft("RGB", (image.width // 8 or 1, image.height // 8 or 1))  # all the data, 1/8 the pixels
            image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refuse(field, "the image is truncated or damaged") from None
    width, height = Image.open(io.BytesIO(data)).size
    if image.getexif().get(_ORIENTATION_TAG) in _SWAPPING_ORIENTATIONS:
        width, height = height, width
    return Inspected(
        data=data, key=hashlib.sha256(data).hexdigest(), content_type=content_type, width=width, height=height
    )


def _widths(width: int) -> list[int]:
    """The served widths of an image `width` pixels wide: never upscaled, at least one."""
    return [w for w in WIDTHS if w <= width] or [width]


def _flattened(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def derive(original: bytes) -> list[Rendition]:
    """Every served size (WebP and JPEG), oriented upright, without any metadata (EXIF, GPS, XMP, ICC)."""
    source = Image.open(io.BytesIO(original))
    oriented_w, oriented_h = source.size
    if source.getexif().get(_ORIENTATION_TAG) in _SWAPPING_ORIENTATIONS:
        oriented_w, oriented_h = oriented_h, oriented_w
    widths = _widths(oriented_w)
    if source.format == "JPEG":
        # Decode at the smallest libjpeg scale still at least as large as the largest size served.
        scale = widths[-1] / oriented_w
        source.draft("RGB", (max(1, round(source.width * scale)), max(1, round(source.height * scale))))
    image = _flattened(ImageOps.exif_transpose(source))
    renditions = []
    for width in reversed(widths):
        height = max(1, round(oriented_h * width / oriented_w))
        if image.size != (width, height):
            image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        clean = Image.frombytes("RGB", image.size, image.tobytes())  # no info, EXIF or ICC carried over
        for ext, (pil_format, _) in FORMATS.items():
            out = io.BytesIO()
            options = (
                {"quality": 80, "method": 4}
                if ext == "webp"
                else {"quality": 82, "optimize": True, "progressive": True}
            )
            clean.save(out, pil_format, **options)
            renditions.append(Rendition(width=width, height=height, ext=ext, data=out.getvalue()))
    return sorted(renditions, key=lambda r: (r.width, r.ext))
