"""flask seed-bench: 100,000 products from 3,000 merchants, for measuring speed at scale.

Rows go in with bulk inserts; the photos are two dozen drawn packshots shared
by every product (files are named by content, so sharing is free).
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, insert, select, text

from ..accounts.models import MerchantCategory, MerchantProfile, Role, User, VerificationStatus
from ..catalog.models import FoodRegistration, HalalBody, Product, ProductPhoto, ProductStatus
from ..core.models import utcnow
from ..core.places import KECAMATAN
from ..core.taxonomy import category_words
from ..extensions import db
from ..media.pipeline import process_image
from ..media.services import store_image
from ..media.storage import StorageBackend
from .packshots import draw_packshot

WORDS = {
    "coffee-tea": (["Kopi Arabika", "Kopi Robusta", "Teh Hitam", "Teh Hijau", "Kopi Luwak", "Kopi Drip"],
                   ["Arabica Coffee", "Robusta Coffee", "Black Tea", "Green Tea", "Civet Coffee", "Drip Coffee"],
                   "0901", "pouch"),
    "snacks": (["Keripik Singkong", "Basreng Pedas", "Kerupuk Kulit", "Keripik Pisang", "Opak Ketan", "Seblak Kering"],
               ["Cassava Chips", "Spicy Fish Crisps", "Skin Crackers", "Banana Chips", "Rice Crackers", "Seblak Crackers"],
               "1905", "pouch"),
    "sauces-spices": (["Sambal Bawang", "Sambal Cumi", "Bumbu Rendang", "Sambal Roa", "Bumbu Pecel", "Sambal Matah"],
                      ["Shallot Sambal", "Squid Sambal", "Rendang Paste", "Smoked Fish Sambal", "Peanut Sauce",
                       "Balinese Sambal"], "2103", "jar"),
    "batik-textiles": (["Batik Tulis", "Batik Cap", "Syal Batik", "Kain Tenun", "Kemeja Batik", "Taplak Batik"],
                       ["Hand-drawn Batik", "Stamped Batik", "Batik Scarf", "Woven Cloth", "Batik Shirt",
                        "Batik Tablecloth"], "5208", "fabric"),
    "modest-fashion": (["Hijab Voal", "Pashmina Ceruty", "Gamis Rayon", "Tunik Linen", "Mukena Travel", "Ciput Rajut"],
                       ["Voile Hijab", "Ceruty Pashmina", "Rayon Abaya", "Linen Tunic", "Travel Prayer Set",
                        "Knitted Inner Cap"], "6214", "fabric"),
    "bags-leather": (["Dompet Kulit", "Tas Selempang", "Sepatu Kulit", "Ikat Pinggang", "Ransel Kanvas", "Dompet Kartu"],
                     ["Leather Wallet", "Crossbody Bag", "Leather Shoes", "Leather Belt", "Canvas Backpack",
                      "Card Holder"], "4202", "object"),
    "crafts-decor": (["Lampu Bambu", "Besek Bambu", "Sedotan Bambu", "Angklung Mini", "Nampan Anyam", "Alat Makan Bambu"],
                     ["Bamboo Lamp", "Bamboo Box", "Bamboo Straws", "Mini Angklung", "Woven Tray", "Bamboo Cutlery"],
                     "4602", "object"),
    "beauty-herbal": (["Lulur Bengkoang", "Minyak Kemiri", "Sabun Sereh", "Jamu Kunyit", "Balsem Jahe", "Masker Beras"],
                      ["Jicama Scrub", "Candlenut Oil", "Citronella Soap", "Turmeric Jamu", "Ginger Balm", "Rice Mask"],
                      "3304", "bottle"),
}
PLACES = ["Garut", "Ciwidey", "Pangalengan", "Lembang", "Cibaduyut", "Sumedang", "Malabar", "Puntang", "Cimahi",
          "Soreang"]
SIZES = ["100 g", "150 g", "200 g", "250 g", "500 g", "1 kg", "isi 3", "isi 6", "isi 12", "premium"]
CHUNK = 5000


def _photo_sets(backend: StorageBackend) -> dict[str, list[dict]]:
    """Three packshots per category, processed once and stored once."""
    sets = {}
    for index, (code, (names_id, _, _, shape)) in enumerate(WORDS.items()):
        sets[code] = []
        for n in range(3):
            image = process_image(draw_packshot(names_id[n], "Serumpun Bench", shape, code, index * 10 + n))
            store_image(db.session, backend, image)
            sets[code].append({
                "image_key": image.variants[-1].webp.name.split(".")[0], "width": image.width, "height": image.height,
                "variants": [{"width": v.width, "height": v.height, "webp": v.webp.name, "jpeg": v.jpeg.name}
                             for v in image.variants],
            })
    return sets


def seed_bench(backend: StorageBackend, merchants: int = 3000, products: int = 100_000, seed: int = 7) -> dict:
    """Bulk-insert bench merchants and products unless there are enough already."""
    existing = db.session.scalar(select(func.count()).select_from(Product)) or 0
    if existing >= products:
        return {"merchants": 0, "products": 0, "existing": existing}
    rng = random.Random(seed)
    now = utcnow()
    today = date.today()
    photo_sets = _photo_sets(backend)
    start = (db.session.scalar(select(func.max(User.id))) or 0) + 1

    users, profiles, links = [], [], []
    categories = list(WORDS)
    for i in range(merchants):
        user_id = start + i
        users.append({"id": user_id, "email": f"bench{i}@bench.serumpun.example", "password_hash": "!bench",
                      "role": Role.MERCHANT, "full_name": f"Pemilik {i}", "auth_nonce": f"bench{i}",
                      "active": True, "is_demo": True, "created_at": now, "updated_at": now})
        profiles.append({"id": user_id, "user_id": user_id, "business_name": f"UMKM {rng.choice(PLACES)} {i}",
                         "slug": f"bench-umkm-{i}", "whatsapp": f"+62812{i:08d}", "nib": f"{8000000000000 + i}",
                         "address_line": f"Jl. Bench No. {i}", "kecamatan": rng.choice(list(KECAMATAN)),
                         "postcode": "40111", "verification_status":
                             VerificationStatus.VERIFIED if rng.random() < 0.6 else VerificationStatus.UNVERIFIED,
                         "created_at": now, "updated_at": now})
        links.append({"merchant_id": user_id, "category": categories[i % len(categories)]})
    for table, rows in ((User, users), (MerchantProfile, profiles), (MerchantCategory, links)):
        for chunk in range(0, len(rows), CHUNK):
            db.session.execute(insert(table), rows[chunk:chunk + CHUNK])

    product_start = (db.session.scalar(select(func.max(Product.id))) or 0) + 1
    rows, photos = [], []
    for n in range(products):
        product_id = product_start + n
        merchant_index = n % merchants
        code = categories[merchant_index % len(categories)]
        names_id, names_en, heading, _ = WORDS[code]
        k = rng.randrange(len(names_id))
        place, size = rng.choice(PLACES), rng.choice(SIZES)
        food = code in ("coffee-tea", "snacks", "sauces-spices")
        halal = (food or code == "beauty-herbal") and rng.random() < 0.6
        rows.append({
            "id": product_id, "merchant_id": start + merchant_index, "sku": f"B{n}", "status": ProductStatus.PUBLISHED,
            "category": code, "hs_code": heading + f"{rng.randrange(10, 99)}", "name_id": f"{names_id[k]} {place} {size}",
            "name_en": f"{place} {names_en[k]} {size}", "description_id": f"{names_id[k]} khas {place}, Bandung.",
            "description_en": f"{names_en[k]} from {place}, near Bandung.", "price_idr": rng.randrange(10, 900) * 1000,
            "stock": rng.randrange(0, 500), "moq": rng.choice([1, 1, 1, 3, 6, 12, 24]),
            "made_to_order_days": rng.choice([None] * 6 + [7, 14, 21]), "packed_weight_g": rng.randrange(50, 3000),
            "box_length_mm": rng.randrange(80, 400), "box_width_mm": rng.randrange(60, 300),
            "box_height_mm": rng.randrange(20, 200), "recyclable": rng.random() < 0.5, "plastic_free": rng.random() < 0.2,
            "label_languages": ["id", "en"],
            "halal_body": HalalBody.BPJPH if halal else None, "halal_number": f"ID3211{n:012d}" if halal else None,
            "halal_expires_on": today + timedelta(days=rng.randrange(-60, 900)) if halal else None,
            "food_registration": FoodRegistration.BPOM_MD if food and rng.random() < 0.3 else None,
            "food_registration_number": f"{224510000000 + n}" if food else None,
            "published_at": now - timedelta(minutes=products - n), "search_text": category_words(code),
            "created_at": now, "updated_at": now,
        })
        photo = photo_sets[code][k % 3]
        photos.append({"product_id": product_id, "position": 0, "alt_text": None, **photo,
                       "created_at": now, "updated_at": now})
        if len(rows) >= CHUNK:
            db.session.execute(insert(Product), rows)
            db.session.execute(insert(ProductPhoto), photos)
            rows, photos = [], []
    if rows:
        db.session.execute(insert(Product), rows)
        db.session.execute(insert(ProductPhoto), photos)
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        # The rows above carry their ids; PostgreSQL's sequences must move past them, or the next user,
        # profile or product made the usual way collides with a bench row.
        for table in ("users", "merchant_profiles", "products"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT max(id) FROM {table}))"))
    # Table statistics, so that the planner knows every product is published and counts facets from
    # the covering index (PostgreSQL's autovacuum would do this on its own, later).
    db.session.execute(text("ANALYZE"))
    return {"merchants": merchants, "products": products, "existing": existing}
