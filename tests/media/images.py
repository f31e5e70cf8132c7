"""Images made with Pillow for the media tests (the seed has no licensed photos)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg(width: int = 1600, height: int = 1000, *, orientation: int | None = None, gps: bool = False) -> bytes:
    """A JPEG with a colour gradient; optionally an EXIF orientation and a GPS position (as phones write)."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image.paste((200, 30, 30), (0, 0, width // 4, height // 4))  # a red corner shows the orientation
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        gps_ifd = exif.get_ifd(GPS_IFD)
        gps_ifd.update({1: "N", 2: (50.0, 43.0, 33.0), 3: "E", 4: (1.0, 36.0, 52.0)})
        exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def png(width: int = 800, height: int = 600) -> bytes:
    """A PNG with transparency."""
    image = Image.new("RGBA", (width, height), (20, 120, 200, 128))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def bomb_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A small PNG whose header declares `width` x `height` pixels."""
    out = io.BytesIO()
    Image.new("L", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    ihdr = 8  # after the signature: length (4), b"IHDR" (4), data (13), crc (4)
    data[ihdr + 8 : ihdr + 16] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr + 4 : ihdr + 21]))
    data[ihdr + 21 : ihdr + 25] = struct.pack(">I", crc)
    return bytes(data)


def animated_gif(frames: int = 1000) -> bytes:
    """An animated GIF of `frames` tiny frames."""
    images = [Image.new("RGB", (8, 8), (index % 256, index * 7 % 256, 0)) for index in range(frames)]
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=20, loop=0)
    return out.getvalue()


def truncated_jpeg() -> bytes:
    """A JPEG cut in the middle of its data."""
    data = jpeg(1200, 900)
    return data[: len(data) // 2]
