"""The app's PNG icons (what browsers need to install it), drawn once per size with Pillow."""

from __future__ import annotations

import functools
import io

from PIL import Image, ImageDraw

SIZES = (192, 512)
BRAND = (11, 79, 108)
WHITE = (255, 255, 255)


@functools.cache
def icon_png(size: int) -> bytes:
    """A map pin on the brand colour, filling the maskable safe zone (the central 80 %)."""
    scale = 4  # drawn larger, then reduced: smooth edges
    side = size * scale
    image = Image.new("RGB", (side, side), BRAND)
    draw = ImageDraw.Draw(image)
    cx, top, radius = side / 2, side * 0.22, side * 0.2
    draw.ellipse((cx - radius, top, cx + radius, top + 2 * radius), fill=WHITE)
    draw.polygon(
        [(cx - radius * 0.87, top + radius * 1.5), (cx + radius * 0.87, top + radius * 1.5), (cx, side * 0.8)],
        fill=WHITE,
    )
    hole = radius * 0.4
    draw.ellipse((cx - hole, top + radius - hole, cx + hole, top + radius + hole), fill=BRAND)
    out = io.BytesIO()
    image.resize((size, size), Image.LANCZOS).save(out, format="PNG", optimize=True)
    return out.getvalue()
