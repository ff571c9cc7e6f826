"""About sixty demo products across the demo merchants, with photos drawn at seed time.

Prices, weights and boxes are plausible for Bandung UMKM goods; certificate
numbers are made up and marked as such in the text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class DemoProduct:
    merchant: str  # the merchant's demo email, before the @
    sku: str
    name_id: str
    name_en: str  # "" for a product its merchant wrote in Indonesian only
    category: str
    hs_code: str
    price: int
    shape: str
    weight_g: int
    box_cm: tuple[float, float, float]
    stock: int = 50
    moq: int = 1
    tiers: list[tuple[int, int]] = field(default_factory=list)
    net: tuple[int, str] | None = None
    material: str = "paper"
    recyclable: bool = False
    plastic_free: bool = False
    shelf_life_days: int | None = None
    storage_note: str | None = None
    made_to_order_days: int | None = None
    halal: tuple[str, str, date] | None = None  # body, number, expiry
    food_registration: tuple[str, str] | None = None  # md / pirt, number
    npra: str | None = None
    published: bool = True
    description_id: str = ""
    description_en: str = ""


H = date(2028, 6, 30)  # a valid halal certificate
H_SOON = date(2027, 1, 10)  # expiring within weeks of the demo's date
H_OLD = date(2025, 3, 31)  # expired

COFFEE = [
    DemoProduct("merchant", "SPC-ARB-250", "Kopi Arabika Java Preanger 250 g", "Java Preanger Arabica Coffee 250 g",
                "coffee-tea", "090121", 85000, "pouch", 320, (18, 12, 6.5), stock=120, tiers=[(12, 78000), (48, 72000)],
                net=(250, "g"), recyclable=True, shelf_life_days=365, storage_note="Simpan di tempat sejuk dan kering.",
                halal=("bpjph", "ID32110000123450124", H), food_registration=("pirt", "2063273010123-24"),
                description_id="Biji kopi arabika sangrai medium dari lereng Gunung Puntang. Catatan rasa: jeruk, gula aren, cokelat.",
                description_en="Medium-roast arabica from the slopes of Mount Puntang. Notes of citrus, palm sugar and chocolate."),
    DemoProduct("merchant", "SPC-ARB-1KG", "Kopi Arabika Java Preanger 1 kg", "Java Preanger Arabica Coffee 1 kg",
                "coffee-tea", "090121", 310000, "pouch", 1150, (28, 18, 10), stock=40, tiers=[(5, 290000), (20, 270000)],
                net=(1000, "g"), recyclable=True, shelf_life_days=365, halal=("bpjph", "ID32110000123450124", H),
                description_id="Kemasan besar untuk kafe dan toko.", description_en="The café size, for shops and cafés."),
    DemoProduct("merchant", "SPC-MLB-200", "Kopi Malabar Natural 200 g", "Malabar Natural Process Coffee 200 g",
                "coffee-tea", "090121", 95000, "box", 280, (15, 10, 7), stock=60, net=(200, "g"), recyclable=True,
                plastic_free=True, shelf_life_days=365, halal=("bpjph", "ID32110000123450125", H),
                description_id="Proses natural, manis seperti buah nangka.", description_en="Natural process, sweet like jackfruit."),
    DemoProduct("merchant", "SPC-DRIP-10", "Kopi Drip Bag isi 10", "Drip Bag Coffee, 10 sachets", "coffee-tea", "090121",
                65000, "box", 180, (16, 11, 6), stock=200, tiers=[(24, 58000)], net=(100, "g"), recyclable=True,
                shelf_life_days=270, halal=("bpjph", "ID32110000123450126", H),
                description_id="Seduh di cangkir, tanpa alat.", description_en="Brew in the cup, no gear needed."),
    DemoProduct("merchant", "SPC-TEH-100", "Teh Hitam Malabar 100 g", "Malabar Black Tea 100 g", "coffee-tea", "090240",
                45000, "box", 150, (12, 8, 8), stock=80, net=(100, "g"), recyclable=True, plastic_free=True,
                shelf_life_days=540, halal=("mui", "LPPOM-01010012341117", H_SOON),
                description_id="Teh hitam dari perkebunan Malabar, Pangalengan.", description_en="Black tea from the Malabar estate in Pangalengan."),
    DemoProduct("merchant", "SPC-GIFT", "Paket Hadiah Kopi Nusantara", "Nusantara Coffee Gift Set", "coffee-tea", "090121",
                245000, "box", 900, (30, 22, 9), stock=25, net=(600, "g"), recyclable=True, shelf_life_days=365,
                halal=("bpjph", "ID32110000123450124", H),
                description_id="Tiga kopi Jawa Barat dalam kotak anyaman.", description_en="Three West Java coffees in a woven gift box."),
    DemoProduct("merchant", "SPC-CASCARA", "Teh Cascara 80 g", "Cascara Coffee-Cherry Tea 80 g", "coffee-tea", "090190",
                55000, "pouch", 120, (16, 10, 4), stock=30, net=(80, "g"), shelf_life_days=365, published=False,
                description_id="Kulit buah kopi kering, diseduh seperti teh.", description_en="Dried coffee cherries, brewed like tea."),
    DemoProduct("merchant", "SPC-ROBUSTA", "Kopi Robusta Garut 250 g", "Garut Robusta Coffee 250 g", "coffee-tea", "090121",
                60000, "pouch", 320, (18, 12, 6.5), stock=90, tiers=[(12, 55000)], net=(250, "g"), shelf_life_days=365,
                halal=("bpjph", "ID32110000123450127", H)),
]

SNACKS = [
    DemoProduct("keripik", "KCE-SGK-200", "Keripik Singkong Balado 200 g", "Spicy Balado Cassava Chips 200 g", "snacks",
                "200520", 18000, "pouch", 230, (25, 16, 6), stock=300, moq=6, tiers=[(48, 16000), (120, 14500)],
                net=(200, "g"), material="plastic", shelf_life_days=180, halal=("bpjph", "ID32110000223450001", H),
                food_registration=("pirt", "2063273010456-25"),
                description_id="Singkong Cimahi, bumbu balado pedas manis.", description_en="Cimahi cassava in sweet-spicy balado."),
    DemoProduct("keripik", "KCE-BSR-150", "Basreng Pedas Daun Jeruk 150 g", "Spicy Fish-Ball Crisps with Lime Leaf 150 g",
                "snacks", "160420", 22000, "pouch", 180, (24, 15, 6), stock=250, moq=6, tiers=[(48, 19500)], net=(150, "g"),
                material="plastic", shelf_life_days=120, halal=("bpjph", "ID32110000223450002", H),
                food_registration=("pirt", "2063273010456-26")),
    DemoProduct("keripik", "KCE-KRP-250", "Kerupuk Kulit Sapi 250 g", "Beef Skin Crackers 250 g", "snacks", "160250", 35000,
                "pouch", 290, (28, 18, 8), stock=120, moq=4, net=(250, "g"), material="plastic", shelf_life_days=180,
                halal=("bpjph", "ID32110000223450003", H), food_registration=("md", "224510002345")),
    DemoProduct("keripik", "KCE-PSG-200", "Keripik Pisang Cokelat 200 g", "Chocolate Banana Chips 200 g", "snacks", "200899",
                24000, "pouch", 230, (25, 16, 6), stock=150, moq=6, net=(200, "g"), material="plastic", shelf_life_days=150,
                halal=("bpjph", "ID32110000223450004", H), food_registration=("pirt", "2063273010456-27")),
    DemoProduct("keripik", "KCE-SEBLAK", "Seblak Kering Level 3, 100 g", "Dry Seblak Crackers, Level 3, 100 g", "snacks",
                "190590", 15000, "pouch", 120, (20, 14, 5), stock=400, moq=10, tiers=[(100, 13000)], net=(100, "g"),
                material="plastic", shelf_life_days=180, halal=("bpjph", "ID32110000223450005", H_OLD),
                food_registration=("pirt", "2063273010456-28"),
                description_id="Kerupuk seblak khas Bandung, pedas kencur.", description_en="Bandung's seblak crackers, with kencur heat."),
    DemoProduct("keripik", "KCE-GIFT", "Hampers Camilan Bandung", "Bandung Snack Hamper", "snacks", "190590", 120000, "box",
                1100, (32, 24, 14), stock=40, net=(900, "g"), recyclable=True, shelf_life_days=120,
                halal=("bpjph", "ID32110000223450006", H)),
    DemoProduct("keripik", "KCE-OPAK", "Opak Ketan Bakar 250 g", "Grilled Sticky-Rice Opak 250 g", "snacks", "190490",
                20000, "pouch", 280, (30, 20, 7), stock=160, moq=6, net=(250, "g"), material="plastic", shelf_life_days=150,
                halal=("bpjph", "ID32110000223450008", H), food_registration=("pirt", "2063273010456-30")),
    DemoProduct("keripik", "KCE-TEMPE", "Keripik Tempe Sagu 150 g", "Sago Tempeh Chips 150 g", "snacks", "200599", 16000,
                "pouch", 180, (24, 15, 6), stock=0, moq=6, net=(150, "g"), material="plastic", shelf_life_days=120,
                halal=("bpjph", "ID32110000223450007", H), food_registration=("pirt", "2063273010456-29")),
]

SAMBAL = [
    DemoProduct("sambal", "STE-BWG-200", "Sambal Bawang 200 ml", "Shallot Sambal 200 ml", "sauces-spices", "210390", 32000,
                "jar", 420, (9, 9, 12), stock=180, moq=3, tiers=[(24, 28500), (96, 26000)], net=(200, "ml"), material="glass",
                recyclable=True, plastic_free=True, shelf_life_days=270, storage_note="Simpan di kulkas setelah dibuka.",
                halal=("bpjph", "ID32110000323450001", H), food_registration=("md", "224510003456"),
                description_id="Bawang merah goreng dan cabai rawit, dimasak dengan minyak kelapa.",
                description_en="Fried shallots and bird's-eye chilli, cooked in coconut oil."),
    DemoProduct("sambal", "STE-CUMI-200", "Sambal Cumi Asin 200 ml", "Salted Squid Sambal 200 ml", "sauces-spices", "160559",
                45000, "jar", 430, (9, 9, 12), stock=90, moq=3, net=(200, "ml"), material="glass", recyclable=True,
                shelf_life_days=180, halal=("bpjph", "ID32110000323450002", H), food_registration=("md", "224510003457")),
    # Written in Indonesian only, as many merchants start: English and Malay readers see it marked "in Indonesian".
    DemoProduct("sambal", "STE-DADAK", "Sambal Dadak Kering 100 g", "", "sauces-spices",
                "210390", 25000, "pouch", 140, (18, 12, 4), stock=150, moq=5, net=(100, "g"), material="plastic",
                shelf_life_days=365, halal=("bpjph", "ID32110000323450003", H), food_registration=("pirt", "2063273010789-24"),
                storage_note="Simpan di tempat kering; habiskan dalam sebulan setelah dibuka.",
                description_id="Sambal dadak khas Sunda yang dikeringkan: cabai rawit, kencur, dan terasi bakar. "
                               "Tinggal seduh dengan sedikit minyak panas."),
    DemoProduct("sambal", "STE-ROA", "Sambal Roa 150 ml", "Smoked Fish Sambal 150 ml", "sauces-spices", "160420", 48000,
                "jar", 340, (8, 8, 11), stock=60, moq=3, net=(150, "ml"), material="glass", recyclable=True,
                shelf_life_days=180, halal=("bpjph", "ID32110000323450004", H)),
    DemoProduct("sambal", "STE-BUMBU", "Bumbu Rendang Instan 250 g", "Instant Rendang Spice Paste 250 g", "sauces-spices",
                "210390", 38000, "pouch", 300, (20, 14, 4), stock=110, moq=5, tiers=[(50, 34000)], net=(250, "g"),
                material="plastic", shelf_life_days=365, halal=("bpjph", "ID32110000323450005", H),
                food_registration=("md", "224510003458")),
    DemoProduct("sambal", "STE-TRIO", "Paket Trio Sambal", "Sambal Trio Gift Pack", "sauces-spices", "210390", 99000, "box",
                1350, (27, 10, 13), stock=35, net=(600, "ml"), material="glass", recyclable=True, shelf_life_days=180,
                halal=("bpjph", "ID32110000323450006", H)),
    DemoProduct("sambal", "STE-MATAH", "Sambal Matah Kering 80 g", "Dried Sambal Matah 80 g", "sauces-spices", "210390",
                27000, "pouch", 110, (16, 11, 4), stock=120, moq=5, net=(80, "g"), material="plastic", shelf_life_days=300,
                halal=("bpjph", "ID32110000323450008", H), food_registration=("pirt", "2063273010789-26")),
    DemoProduct("sambal", "STE-KACANG", "Bumbu Pecel Kacang 200 g", "Peanut Pecel Sauce 200 g", "sauces-spices", "210390",
                20000, "pouch", 240, (18, 12, 3), stock=140, moq=5, net=(200, "g"), material="plastic", shelf_life_days=240,
                halal=("bpjph", "ID32110000323450007", H), food_registration=("pirt", "2063273010789-25"), published=False),
]

BATIK = [
    # Priced above RM500 at the demo rate, so a fresh demo shows the import branch of the delivered price:
    # no LVG tax, duty at 0% with Form D, and sales tax on import.
    DemoProduct("batik", "BKP-TLS-01", "Kain Batik Tulis Kujang 2 m", "Hand-drawn Kujang Batik Cloth, 2 m", "batik-textiles",
                "520852", 2450000, "fabric", 450, (35, 25, 4), stock=8, made_to_order_days=21, material="paper",
                plastic_free=True, recyclable=True,
                description_id="Batik tulis pewarna alam (indigo dan tingi), dikerjakan tiga minggu.",
                description_en="Hand-drawn batik in natural dyes (indigo and tingi), three weeks in the making."),
    DemoProduct("batik", "BKP-CAP-01", "Kain Batik Cap Merak Ngibing 2 m", "Stamped Merak Ngibing Batik Cloth, 2 m",
                "batik-textiles", "520852", 275000, "fabric", 420, (35, 25, 4), stock=30, tiers=[(10, 250000)],
                plastic_free=True, recyclable=True),
    DemoProduct("batik", "BKP-SYL", "Syal Batik Sutra", "Silk Batik Scarf", "batik-textiles", "621410", 320000, "fabric",
                160, (24, 18, 3), stock=20, plastic_free=True, recyclable=True),
    DemoProduct("batik", "BKP-KMJ-L", "Kemeja Batik Pria Lengan Panjang", "Men's Long-sleeve Batik Shirt", "batik-textiles",
                "620530", 395000, "fabric", 420, (32, 25, 5), stock=24, moq=1, tiers=[(12, 360000)], recyclable=True),
    DemoProduct("batik", "BKP-TAS", "Tas Jinjing Batik", "Batik Tote Bag", "batik-textiles", "420222", 145000, "object", 350,
                (38, 30, 4), stock=40, recyclable=True),
    DemoProduct("batik", "BKP-TPLK", "Taplak Meja Batik 150 cm", "Batik Tablecloth, 150 cm", "batik-textiles", "630251",
                210000, "fabric", 520, (30, 25, 5), stock=15, recyclable=True, plastic_free=True),
    DemoProduct("batik", "BKP-MASK", "Masker Kain Batik isi 3", "Batik Cloth Masks, 3 pack", "batik-textiles", "630790",
                45000, "box", 90, (18, 12, 2), stock=100, moq=5, published=False),
]

FASHION = [
    DemoProduct("hijab", "SMW-VOAL-01", "Hijab Segi Empat Voal Premium", "Premium Voile Square Hijab", "modest-fashion",
                "621420", 89000, "fabric", 150, (25, 20, 2), stock=150, moq=3, tiers=[(24, 79000), (96, 72000)],
                material="paper", recyclable=True,
                description_id="Voal lembut, tepi jahit tangan, 115 x 115 cm.", description_en="Soft voile, hand-stitched edge, 115 x 115 cm."),
    DemoProduct("hijab", "SMW-PASH-01", "Pashmina Ceruty Baby Doll", "Ceruty Babydoll Pashmina", "modest-fashion", "621420",
                75000, "fabric", 170, (25, 20, 2), stock=200, moq=3, tiers=[(24, 68000)], recyclable=True),
    DemoProduct("hijab", "SMW-GAMIS-M", "Gamis Katun Rayon Motif Sunda", "Rayon Abaya with Sundanese Motif", "modest-fashion",
                "620442", 265000, "fabric", 480, (35, 28, 5), stock=45, tiers=[(10, 240000)], recyclable=True),
    DemoProduct("hijab", "SMW-TUNIK", "Tunik Linen Kerah Shanghai", "Linen Mandarin-collar Tunic", "modest-fashion", "620640",
                215000, "fabric", 320, (32, 25, 4), stock=35, recyclable=True),
    DemoProduct("hijab", "SMW-MUKENA", "Mukena Travel Parasut", "Travel Prayer Set (Mukena)", "modest-fashion", "621149",
                185000, "object", 380, (25, 20, 6), stock=60, tiers=[(12, 170000)], material="cloth"),
    DemoProduct("hijab", "SMW-INNER", "Ciput Rajut isi 3", "Knitted Inner Caps, 3 pack", "modest-fashion", "650500",
                39000, "box", 110, (18, 12, 3), stock=300, moq=6, tiers=[(60, 34000)], recyclable=True),
    DemoProduct("hijab", "SMW-KIDS", "Hijab Anak Instan", "Children's Instant Hijab", "modest-fashion", "621420", 45000,
                "fabric", 90, (20, 15, 2), stock=80, moq=3),
    DemoProduct("hijab", "SMW-BROS", "Bros Hijab Mutiara", "Pearl Hijab Brooch", "modest-fashion", "711719", 35000, "box",
                40, (8, 8, 3), stock=120, moq=6, recyclable=True),
]

LEATHER = [
    DemoProduct("leather", "CLW-DOMPET", "Dompet Kulit Sapi Lipat", "Bifold Cowhide Wallet", "bags-leather", "420231",
                185000, "object", 220, (14, 11, 4), stock=60, tiers=[(12, 165000), (50, 150000)], recyclable=True,
                description_id="Kulit sapi nabati dari penyamakan Garut, dijahit tangan.",
                description_en="Vegetable-tanned cowhide from Garut tanneries, hand-stitched."),
    DemoProduct("leather", "CLW-TAS-SL", "Tas Selempang Kulit", "Leather Crossbody Bag", "bags-leather", "420221", 475000,
                "object", 650, (30, 24, 10), stock=20, recyclable=True),
    DemoProduct("leather", "CLW-SEPATU", "Sepatu Pantofel Kulit Cibaduyut", "Cibaduyut Leather Oxford Shoes", "bags-leather",
                "640399", 550000, "box", 1300, (33, 22, 12), stock=30, made_to_order_days=10, recyclable=True),
    DemoProduct("leather", "CLW-SABUK", "Ikat Pinggang Kulit", "Leather Belt", "bags-leather", "420330", 165000, "box", 280,
                (20, 12, 5), stock=70, recyclable=True),
    DemoProduct("leather", "CLW-KEY", "Gantungan Kunci Kulit", "Leather Key Ring", "bags-leather", "420500", 35000, "box",
                40, (9, 6, 2), stock=250, moq=10, tiers=[(100, 29000)], recyclable=True),
    DemoProduct("leather", "CLW-CARD", "Dompet Kartu Kulit", "Leather Card Holder", "bags-leather", "420232", 95000,
                "box", 60, (12, 9, 2), stock=90, moq=2, tiers=[(24, 85000)], recyclable=True),
    DemoProduct("leather", "CLW-RANSEL", "Ransel Kulit Kanvas", "Canvas and Leather Backpack", "bags-leather", "420292",
                620000, "object", 1100, (40, 30, 12), stock=12, recyclable=True, published=False),
]

BAMBOO = [
    DemoProduct("bamboo", "AWI-LAMPU", "Lampu Gantung Anyaman Bambu", "Woven Bamboo Pendant Lamp", "crafts-decor", "940540",
                325000, "object", 900, (40, 40, 30), stock=15, made_to_order_days=7, material="paper", recyclable=True,
                plastic_free=True,
                description_id="Dianyam perajin Ujungberung dari bambu tali.", description_en="Woven by Ujungberung artisans from tali bamboo."),
    DemoProduct("bamboo", "AWI-BESEK", "Besek Bambu isi 10", "Bamboo Besek Boxes, set of 10", "crafts-decor", "460219",
                60000, "box", 700, (22, 22, 18), stock=100, moq=2, tiers=[(20, 52000)], plastic_free=True, recyclable=True),
    DemoProduct("bamboo", "AWI-SEDOTAN", "Sedotan Bambu isi 12", "Bamboo Straws, 12 pack", "crafts-decor", "460219", 35000,
                "box", 120, (24, 6, 4), stock=400, moq=10, tiers=[(100, 29000), (500, 25000)], plastic_free=True, recyclable=True),
    DemoProduct("bamboo", "AWI-ANGKLUNG", "Angklung Mini Hias", "Decorative Mini Angklung", "crafts-decor", "920590", 85000,
                "object", 350, (25, 12, 30), stock=50, plastic_free=True),
    DemoProduct("bamboo", "AWI-NAMPAN", "Nampan Bambu Anyam", "Woven Bamboo Tray", "crafts-decor", "460219", 95000, "object",
                450, (40, 30, 6), stock=40, plastic_free=True, recyclable=True),
    DemoProduct("bamboo", "AWI-ALAT", "Set Alat Makan Bambu", "Bamboo Cutlery Set", "crafts-decor", "441990", 55000, "box",
                90, (24, 8, 3), stock=220, moq=5, tiers=[(50, 48000)], plastic_free=True, recyclable=True),
    DemoProduct("bamboo", "AWI-SPEAKER", "Pengeras Suara Bambu Pasif", "Passive Bamboo Phone Speaker", "crafts-decor",
                "441990", 75000, "object", 380, (28, 10, 10), stock=30, plastic_free=True),
]

HERBAL = [
    DemoProduct("herbal", "GHB-LULUR", "Lulur Bengkoang Sunda 200 g", "Sundanese Jicama Body Scrub 200 g", "beauty-herbal",
                "330499", 55000, "jar", 290, (9, 9, 8), stock=140, moq=3, tiers=[(36, 48000)], net=(200, "g"), material="plastic",
                shelf_life_days=730, npra="NOT210512345K", halal=("bpjph", "ID32110000823450001", H),
                description_id="Resep keluarga: bengkoang, beras dan kunyit.", description_en="A family recipe: jicama, rice and turmeric."),
    DemoProduct("herbal", "GHB-MINYAK", "Minyak Rambut Kemiri 100 ml", "Candlenut Hair Oil 100 ml", "beauty-herbal", "330590",
                48000, "bottle", 190, (6, 6, 16), stock=160, moq=3, net=(100, "ml"), material="glass", recyclable=True,
                shelf_life_days=730, npra="NOT210512346K", halal=("bpjph", "ID32110000823450002", H)),
    DemoProduct("herbal", "GHB-SABUN", "Sabun Sereh Wangi Handmade", "Handmade Citronella Soap", "beauty-herbal", "340111",
                25000, "box", 120, (9, 6, 4), stock=300, moq=6, tiers=[(60, 21000)], net=(100, "g"), recyclable=True,
                plastic_free=True, shelf_life_days=730, halal=("bpjph", "ID32110000823450003", H)),
    DemoProduct("herbal", "GHB-JAMU", "Jamu Kunyit Asam Bubuk 250 g", "Turmeric-Tamarind Jamu Powder 250 g", "beauty-herbal",
                "210690", 42000, "pouch", 290, (20, 14, 5), stock=90, moq=3, net=(250, "g"), material="plastic",
                shelf_life_days=365, halal=("bpjph", "ID32110000823450004", H), food_registration=("pirt", "2063273010999-24")),
    DemoProduct("herbal", "GHB-BALSEM", "Balsem Jahe Merah 20 g", "Red Ginger Balm 20 g", "beauty-herbal", "330499", 22000,
                "jar", 60, (5, 5, 4), stock=0, moq=12, net=(20, "g"), material="glass", shelf_life_days=1095,
                npra="NOT210512347K"),
    DemoProduct("herbal", "GHB-MASKER", "Masker Wajah Beras 100 g", "Rice Face Mask 100 g", "beauty-herbal", "330499",
                38000, "jar", 160, (8, 8, 6), stock=75, moq=3, net=(100, "g"), material="plastic", shelf_life_days=730,
                published=False),
    DemoProduct("herbal", "GHB-AROMA", "Minyak Aromaterapi Sereh 10 ml", "Citronella Aromatherapy Oil 10 ml",
                "beauty-herbal", "330129", 35000, "bottle", 70, (4, 4, 10), stock=200, moq=6, tiers=[(60, 30000)],
                net=(10, "ml"), material="glass", recyclable=True, shelf_life_days=1095),
]

PRODUCTS = COFFEE + SNACKS + SAMBAL + BATIK + FASHION + LEATHER + BAMBOO + HERBAL

SHOP_BRANDS = {
    "merchant": "Sangrai Preanger", "keripik": "Ceu Enok", "sambal": "Teh Euis", "batik": "Kujang Pasundan",
    "hijab": "Sukajadi", "leather": "Cibaduyut", "bamboo": "Awi Craft", "herbal": "Geulis Herbal",
}
