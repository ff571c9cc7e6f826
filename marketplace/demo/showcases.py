"""Two published showcases for the demo, built by the demo officers through the showcase services.

One is for a Petaling Jaya trade week, the other an every-day halal pantry; each cover is drawn by Pillow
at seed time (nothing is downloaded). A showcase whose address exists is left as it is.
"""
from __future__ import annotations

import io
from datetime import date

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from ..accounts import services as accounts
from ..catalog.models import Product
from ..catalog.queries import only_visible
from ..extensions import db
from ..media.storage import StorageBackend
from ..showcases import services as showcases
from ..showcases.models import Showcase

WIDTH, HEIGHT = 1600, 900

SHOWCASES = [
    dict(
        slug="petaling-jaya-trade-week-2027",
        officer="officer.pj@serumpun.example",
        data=showcases.ShowcaseData(
            title_id="Pekan Dagang Petaling Jaya 2027: Pilihan dari Bandung",
            title_en="Petaling Jaya Trade Week 2027: Picks from Bandung",
            title_ms="Minggu Perdagangan Petaling Jaya 2027: Pilihan dari Bandung",
            story_id="Kopi, camilan, sambal dan kerajinan bambu dari UMKM Bandung yang hadir di Pekan Dagang "
                     "Petaling Jaya. Pindai kode QR di lembar produk untuk harga sampai ke toko Anda.",
            story_en="Coffee, snacks, sambal and bamboo crafts from the Bandung small businesses at Petaling Jaya "
                     "Trade Week. Scan a line sheet's QR code for the price delivered to your shop.",
            story_ms="Kopi, snek, sambal dan kraf buluh daripada PKS Bandung di Minggu Perdagangan Petaling Jaya. "
                     "Imbas kod QR pada helaian produk untuk harga dihantar ke kedai anda.",
            theme="trade-week", status="published", event_name="Petaling Jaya Trade Week",
            event_place="Dewan Sivik MBPJ, Petaling Jaya", event_starts_on=date(2027, 3, 10),
            event_ends_on=date(2027, 3, 14), cover_alt="Petaling Jaya Trade Week 2027, picks from Bandung"),
        skus=["SPC-ARB-250", "SPC-DRIP-10", "KCE-SGK-200", "STE-BWG-200", "AWI-LAMPU", "AWI-SEDOTAN"],
    ),
    dict(
        slug="halal-pantry-from-bandung",
        officer="officer@serumpun.example",
        data=showcases.ShowcaseData(
            title_id="Dapur Halal dari Bandung",
            title_en="A Halal Pantry from Bandung",
            title_ms="Dapur Halal dari Bandung",
            story_id="Sambal, bumbu, camilan dan teh bersertifikat halal, dikemas untuk rak toko di Malaysia.",
            story_en="Halal-certified sambal, spice pastes, snacks and tea, packed for shop shelves in Malaysia.",
            story_ms="Sambal, rempah, snek dan teh yang diperakui halal, dibungkus untuk rak kedai di Malaysia.",
            theme="halal-food", status="published", cover_alt="A halal pantry from Bandung"),
        skus=["STE-CUMI-200", "STE-BUMBU", "KCE-BSR-150", "KCE-PSG-200", "SPC-TEH-100"],
    ),
]


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow built without FreeType
        return ImageFont.load_default()


def draw_cover(title: str, subtitle: str, colour: str, seed: int) -> bytes:
    """A PNG cover: the theme's colour, a batik-like pattern of rings, and the title on a calm band."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    image = Image.new("RGB", (WIDTH, HEIGHT), (red, green, blue))
    draw = ImageDraw.Draw(image)
    light = tuple(min(c + 40, 255) for c in (red, green, blue))
    for row in range(0, HEIGHT + 120, 120):
        for column in range(-60 if row // 120 % 2 else 0, WIDTH + 120, 120):
            x, y = column + seed * 7 % 60, row
            draw.ellipse((x - 44, y - 44, x + 44, y + 44), outline=light, width=6)
            draw.ellipse((x - 14, y - 14, x + 14, y + 14), fill=light)
    # The band sits in the middle third: pages crop a wide cover top and bottom, never its centre.
    draw.rounded_rectangle((90, 300, WIDTH - 90, 600), radius=28, fill=(252, 250, 245))
    words, lines, line = title.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > 38 and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    for i, text in enumerate(lines[:2]):
        draw.text((140, 335 + i * 70), text, fill=(31, 34, 84), font=_font(58))
    draw.text((140, 345 + len(lines[:2]) * 70 + 20), subtitle, fill=(red, green, blue), font=_font(36))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def seed_showcases(backend: StorageBackend) -> int:
    """The demo showcases that are not there yet; returns how many were made."""
    made = 0
    for index, spec in enumerate(SHOWCASES):
        if db.session.scalar(select(Showcase.id).where(Showcase.slug == spec["slug"])) is not None:
            continue
        officer = accounts.find_user_by_email(spec["officer"])
        products = {p.sku: p.id for p in db.session.scalars(
            only_visible(select(Product)).where(Product.sku.in_(spec["skus"])))}
        if officer is None or not products:
            continue
        data: showcases.ShowcaseData = spec["data"]
        draft = showcases.ShowcaseData(**{**data.__dict__, "status": "draft"})
        showcase = showcases.create_showcase(officer, draft)
        showcase.slug = spec["slug"]  # the demo's addresses stay the same whatever the title
        colour = showcases.THEMES[data.theme][1]
        subtitle = data.event_name or "Serumpun · Bandung · Petaling Jaya"
        showcases.set_cover(officer, showcase.id, draw_cover(data.title_en, subtitle, colour, index), backend)
        for sku in spec["skus"]:
            if sku in products:
                showcases.add_product(officer, showcase.id, products[sku])
        showcases.update_showcase(officer, showcase.id, data)
        made += 1
    db.session.flush()
    return made
