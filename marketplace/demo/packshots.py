"""Product photos drawn at seed time: a packshot of the package on a calm background.

Nothing is downloaded; each drawing depends only on its arguments, so a demo
rebuild gives the same files.
"""
from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFont

SIZE = 900

PALETTES = {
    "coffee-tea": ((236, 226, 210), (92, 58, 33), (214, 170, 92)),
    "snacks": ((250, 236, 200), (200, 70, 40), (245, 190, 60)),
    "sauces-spices": ((248, 228, 220), (170, 30, 30), (250, 210, 120)),
    "batik-textiles": ((232, 228, 240), (43, 47, 107), (180, 120, 60)),
    "modest-fashion": ((240, 232, 236), (150, 90, 120), (240, 220, 210)),
    "bags-leather": ((238, 230, 220), (120, 70, 40), (60, 40, 30)),
    "crafts-decor": ((236, 238, 222), (140, 150, 70), (210, 190, 120)),
    "beauty-herbal": ((226, 240, 230), (40, 110, 80), (240, 240, 235)),
    "other": ((236, 236, 236), (80, 80, 80), (200, 200, 200)),
}


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow built without FreeType
        return ImageFont.load_default()


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > width and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line][:3]


def draw_packshot(label: str, brand: str, shape: str, category: str, seed: int) -> bytes:
    """A PNG of a package: shape is pouch, jar, bottle, box, fabric or object."""
    background, main, accent = PALETTES.get(category, PALETTES["other"])
    rng = random.Random(seed)
    image = Image.new("RGB", (SIZE, SIZE), background)
    draw = ImageDraw.Draw(image)
    # A soft floor shadow.
    draw.ellipse((200, 760, 700, 830), fill=tuple(max(c - 25, 0) for c in background))
    x0, x1 = 260, 640
    if shape == "pouch":
        draw.rounded_rectangle((x0, 170, x1, 790), radius=40, fill=main)
        draw.rectangle((x0, 170, x1, 215), fill=tuple(min(c + 30, 255) for c in main))
    elif shape == "jar":
        draw.rounded_rectangle((x0 + 10, 300, x1 - 10, 790), radius=60, fill=main)
        draw.rounded_rectangle((x0 + 40, 240, x1 - 40, 310), radius=14, fill=accent)
    elif shape == "bottle":
        draw.rounded_rectangle((x0 + 40, 330, x1 - 40, 790), radius=50, fill=main)
        draw.rectangle((410, 200, 490, 340), fill=main)
        draw.rounded_rectangle((400, 160, 500, 215), radius=10, fill=accent)
    elif shape == "fabric":
        for i in range(5):
            top = 260 + i * 95
            draw.rounded_rectangle((170, top, 730, top + 85), radius=18, fill=main if i % 2 == 0 else accent)
        for _ in range(40):
            cx, cy = rng.randint(190, 710), rng.randint(270, 720)
            draw.ellipse((cx - 9, cy - 9, cx + 9, cy + 9), outline=background, width=3)
    elif shape == "object":
        draw.rounded_rectangle((200, 330, 700, 760), radius=90, fill=main)
        draw.arc((300, 170, 600, 470), start=180, end=360, fill=accent, width=26)
    else:  # box
        draw.polygon([(x0, 280), (x1, 280), (x1 + 60, 220), (x0 + 60, 220)], fill=tuple(min(c + 35, 255) for c in main))
        draw.polygon([(x1, 280), (x1 + 60, 220), (x1 + 60, 730), (x1, 790)], fill=tuple(max(c - 30, 0) for c in main))
        draw.rectangle((x0, 280, x1, 790), fill=main)
    if shape not in ("fabric", "object"):
        # The label: this is what Bandung's packaging is praised for.
        draw.rounded_rectangle((x0 + 30, 420, x1 - 30, 680), radius=16, fill=(252, 250, 245))
        draw.text((SIZE // 2, 450), brand.upper()[:22], fill=main, font=_font(22), anchor="mt")
        for i, line in enumerate(_wrap(label, 18)):
            draw.text((SIZE // 2, 500 + i * 42), line, fill=(40, 40, 60), font=_font(34), anchor="mt")
        draw.rectangle((x0 + 30, 640, x1 - 30, 680), fill=accent)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
