"""Demo data modelled on real kinds of Bandung UMKM and Malaysian buyers.

Idempotent: an account whose email exists is left as it is.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from ..accounts import services as accounts
from ..accounts.models import Role, User, VerificationStatus
from ..catalog import saved
from ..catalog import services as catalog
from ..catalog.models import Product, ProductStatus
from ..catalog.synonyms import seed_sample_synonyms
from ..core.models import utcnow
from ..customs.services import seed_sample_rules
from ..extensions import db
from ..media.storage import StorageBackend, document_storage
from ..orders import cart as carts
from ..payables import services as payables
from ..rates import services as rates
from ..shipping.couriers import seed_sample_couriers
from .catalog import PRODUCTS, SHOP_BRANDS, DemoProduct
from .history import seed_history
from .orders import seed_orders
from .packshots import draw_packshot
from .showcases import seed_showcases
from .trade import seed_trade
from .verification import seed_verification

DEMO_PASSWORD = "serumpun-demo"


@dataclass
class SeedReport:
    created: int = 0
    existing: int = 0
    products_created: int = 0
    products_existing: int = 0
    orders_created: int = 0
    showcases_created: int = 0
    history_created: int = 0
    sign_ins: list[tuple[str, str]] = field(default_factory=list)


STAFF = [
    ("admin@serumpun.example", Role.ADMIN, "Admin Serumpun", None, "ID"),
    ("officer@serumpun.example", Role.OFFICER, "Rina Kartika", "Pemkot Bandung", "ID"),
    ("officer.pj@serumpun.example", Role.OFFICER, "Faridah binti Osman", "Majlis Bandaraya Petaling Jaya", "MY"),
]

MERCHANTS = [
    dict(email="merchant@serumpun.example", business_name="Sangrai Preanger Coffee", owner_name="Dadang Suherman",
         whatsapp="+6281221430001", nib="9120001230001", address_line="Jl. Dago No. 112",
         kecamatan="coblong", postcode="40135", categories=["coffee-tea"], status=VerificationStatus.VERIFIED,
         story="Kami menyangrai kopi arabika Java Preanger dari kebun di lereng Gunung Puntang dan Malabar, "
               "dikemas dalam kantong ber-katup satu arah agar aroma tetap segar sampai ke Malaysia."),
    dict(email="keripik@serumpun.example", business_name="Keripik Ceu Enok", owner_name="Enok Nurhayati",
         whatsapp="+6281322540002", nib="9120001230002", address_line="Jl. Pajajaran No. 45",
         kecamatan="cicendo", postcode="40173", categories=["snacks"], status=VerificationStatus.VERIFIED,
         story="Keripik singkong, basreng dan kerupuk pedas, digoreng setiap pagi dan dikemas dalam "
               "standing pouch ber-zip dengan label tiga bahasa."),
    dict(email="sambal@serumpun.example", business_name="Sambal Teh Euis", owner_name="Euis Komariah",
         whatsapp="+6285722650003", nib="9120001230003", address_line="Jl. Buah Batu No. 210",
         kecamatan="buahbatu", postcode="40264", categories=["sauces-spices", "snacks"],
         status=VerificationStatus.VERIFIED,
         story="Sambal bawang, sambal cumi dan sambal dadak khas Sunda dalam botol kaca tersegel."),
    dict(email="batik@serumpun.example", business_name="Batik Kujang Pasundan", owner_name="Asep Saepudin",
         whatsapp="+6281394760004", nib="9120001230004", address_line="Jl. Moh. Toha No. 77",
         kecamatan="bandung-kidul", postcode="40252", categories=["batik-textiles"],
         status=VerificationStatus.PENDING,
         story="Batik tulis dan cap bermotif khas Sunda, diwarnai dengan pewarna alam."),
    dict(email="hijab@serumpun.example", business_name="Sukajadi Modest Wear", owner_name="Nadia Rahmawati",
         whatsapp="+6281563870005", nib="9120001230005", address_line="Jl. Sukajadi No. 131",
         kecamatan="sukajadi", postcode="40162", categories=["modest-fashion", "batik-textiles"],
         status=VerificationStatus.VERIFIED,
         story="Gamis, tunik dan hijab voal yang dijahit penjahit rumahan di Sukajadi."),
    dict(email="leather@serumpun.example", business_name="Cibaduyut Leather Works", owner_name="Ujang Hidayat",
         whatsapp="+6282118980006", nib="9120001230006", address_line="Jl. Cibaduyut Raya No. 18",
         kecamatan="bojongloa-kidul", postcode="40236", categories=["bags-leather"],
         status=VerificationStatus.UNVERIFIED,
         story="Tas, dompet dan sepatu kulit sapi buatan tangan dari sentra Cibaduyut."),
    dict(email="bamboo@serumpun.example", business_name="Awi Craft Ujungberung", owner_name="Cecep Gunawan",
         whatsapp="+6281312090007", nib="9120001230007", address_line="Jl. A.H. Nasution No. 300",
         kecamatan="ujungberung", postcode="40611", categories=["crafts-decor"],
         status=VerificationStatus.VERIFIED,
         story="Lampu, wadah dan peralatan makan dari bambu (awi) yang dianyam perajin Ujungberung."),
    dict(email="herbal@serumpun.example", business_name="Geulis Herbal Bandung", owner_name="Siti Maryam",
         whatsapp="+6287821100008", nib="9120001230008", address_line="Jl. Terusan Jakarta No. 55",
         kecamatan="antapani", postcode="40291", categories=["beauty-herbal"],
         status=VerificationStatus.UNVERIFIED,
         story="Lulur, minyak rambut dan sabun herbal dari resep keluarga Sunda."),
]

BUYERS = [
    dict(email="buyer@serumpun.example", full_name="Nur Aisyah binti Hamzah", company="Kedai Serumpun PJ Sdn. Bhd.",
         state="MY-10", city="Petaling Jaya", postcode="46000", phone="+60379561234"),
    dict(email="buyer.kl@serumpun.example", full_name="Tan Mei Ling", company=None,
         state="MY-14", city="Kuala Lumpur", postcode="50450", phone="+60123456701"),
    dict(email="buyer.penang@serumpun.example", full_name="Rajesh Kumar", company="Penang Halal Mart",
         state="MY-07", city="George Town", postcode="10200", phone="+60124567802"),
    dict(email="buyer.johor@serumpun.example", full_name="Siti Hajar binti Ismail", company=None,
         state="MY-01", city="Johor Bahru", postcode="80000", phone="+60137654303"),
    dict(email="buyer.sabah@serumpun.example", full_name="Jasmine Lo", company=None,
         state="MY-12", city="Kota Kinabalu", postcode="88000", phone="+60168765404"),
    dict(email="buyer.sarawak@serumpun.example", full_name="Ahmad Zaki bin Bujang",
         company="Kuching Borneo Distributors", state="MY-13", city="Kuching", postcode="93000",
         phone="+60198765505"),
]


def _mark_demo(user: User) -> None:
    user.is_demo = True


# Sample rates from public quotes (Bank Indonesia / Google Finance, October 2025), marked as such.
DEMO_RATES = [
    ("MYR", Decimal("3924.50")),
    ("SGD", Decimal("12780.00")),
    ("USD", Decimal("16580.00")),
]
DEMO_RATE_DATE = date(2025, 10, 15)
DEMO_RATE_SOURCE = "Bank Indonesia / Google Finance, Oct 2025 (sample rate for the demo)"


def seed_rates() -> None:
    """A rate for each display currency, unless one is already recorded."""
    if rates.rate_history(limit=1):
        return
    keeper = accounts.find_user_by_email("officer@serumpun.example")  # the demo officer keeps them (audit trail)
    for currency, value in DEMO_RATES:
        rates.record_rate(keeper, currency, value, DEMO_RATE_DATE, DEMO_RATE_SOURCE)


DEMO_COMMISSION_BASIS_POINTS = 500  # 5%
DEMO_COMMISSION_FROM = datetime(2025, 10, 1)  # before any demo order, so each paid one is charged it


def seed_commission() -> None:
    """Serumpun's 5% commission, set by the demo admin (audit trail), unless a rate is set already."""
    if payables.rate_history(limit=1):
        return
    admin = accounts.find_user_by_email("admin@serumpun.example")
    payables.set_commission_rate(admin, DEMO_COMMISSION_BASIS_POINTS, DEMO_COMMISSION_FROM, DEMO_COMMISSION_FROM,
                                 "Demo rate")


def seed_demo(backend: StorageBackend | None = None) -> SeedReport:
    """The demo accounts and rates and, with a storage backend for photos, the demo catalog."""
    report = seed_accounts()
    seed_rates()
    seed_commission()
    seed_sample_couriers()
    seed_sample_rules()
    seed_sample_synonyms()
    if backend is not None:
        seed_catalog(backend, report)
        report.orders_created = seed_orders()
        report.history_created = seed_history()
        seed_cart()
        seed_saved()
        report.showcases_created = seed_showcases(backend)
        seed_verification(backend, document_storage(), utcnow().date())
        seed_trade()
    return report


def seed_cart() -> None:
    """The demo buyer's cart: a product from two merchants, so /cart/ shows two parcels (unless it has lines)."""
    buyer = accounts.find_user_by_email("buyer@serumpun.example")
    if buyer is None or carts.DatabaseCart(buyer).lines():
        return
    for merchant, quantity in (("merchant", 12), ("keripik", 10)):
        user = accounts.find_user_by_email(f"{merchant}@serumpun.example")
        product = db.session.scalar(select(Product).where(
            Product.merchant_id == user.merchant_profile.id, Product.status == ProductStatus.PUBLISHED,
            Product.moq <= quantity, Product.stock >= quantity).order_by(Product.id).limit(1)) if user else None
        if product is not None:
            carts.add_to_cart(carts.DatabaseCart(buyer), product.id, quantity)


def seed_saved() -> None:
    """Two products on the demo buyer's saved list, from two merchants (unless it has some already)."""
    buyer = accounts.find_user_by_email("buyer@serumpun.example")
    if buyer is None or saved.saved_products(buyer):
        return
    for merchant in ("batik", "keripik"):
        user = accounts.find_user_by_email(f"{merchant}@serumpun.example")
        product_id = db.session.scalar(select(Product.id).where(
            Product.merchant_id == user.merchant_profile.id, Product.status == ProductStatus.PUBLISHED)
            .order_by(Product.id.desc()).limit(1)) if user else None
        if product_id is not None:
            saved.save_product(buyer, product_id)


def seed_catalog(backend: StorageBackend, report: SeedReport, skus: set[str] | None = None) -> None:
    """About sixty products with drawn photos (or only those SKUs); products whose SKU exists are left alone."""
    for index, item in enumerate(PRODUCTS):
        if skus is not None and item.sku not in skus:
            continue
        user = accounts.find_user_by_email(f"{item.merchant}@serumpun.example")
        if user is None or user.merchant_profile is None:
            continue
        exists = db.session.scalar(select(Product.id).where(Product.merchant_id == user.merchant_profile.id,
                                                            Product.sku == item.sku))
        if exists:
            report.products_existing += 1
            continue
        product = catalog.create_product(user, _product_data(item))
        brand = SHOP_BRANDS[item.merchant]
        photos = [(f"{item.sku}.png", draw_packshot(item.name_id, brand, item.shape, item.category, index))]
        if index % 3 == 0:  # some products also show their shipping carton
            photos.append((f"{item.sku}-carton.png",
                           draw_packshot(item.name_en or item.name_id, brand, "box", item.category, index + 1000)))
        for photo in catalog.add_photos(user, product.id, photos, backend):
            photo.alt_text = item.name_id if photo.position == 0 else f"{item.name_id}: kemasan karton"
        if item.published:
            catalog.change_status(user, product.id, ProductStatus.PUBLISHED)
        report.products_created += 1
    db.session.flush()


def _product_data(item: DemoProduct) -> catalog.ProductData:
    halal_body, halal_number, halal_expires = item.halal or (None, None, None)
    food_kind, food_number = item.food_registration or (None, None)
    length, width, height = item.box_cm
    return catalog.ProductData(
        sku=item.sku, name_id=item.name_id, name_en=item.name_en or None, category=item.category, price_idr=item.price,
        stock=item.stock, moq=item.moq, description_id=item.description_id or None,
        description_en=item.description_en or None, hs_code=item.hs_code, made_to_order_days=item.made_to_order_days,
        tiers=[catalog.Tier(q, p) for q, p in item.tiers], packed_weight_g=item.weight_g,
        box_length_mm=round(length * 10), box_width_mm=round(width * 10), box_height_mm=round(height * 10),
        net_content=item.net[0] if item.net else None, net_content_unit=item.net[1] if item.net else None,
        units_per_carton=24 if item.category in ("coffee-tea", "snacks", "sauces-spices") else None,
        packaging_material=item.material, recyclable=item.recyclable, plastic_free=item.plastic_free,
        shelf_life_days=item.shelf_life_days, storage_note=item.storage_note,
        label_languages=["id", "en"] if item.category in ("coffee-tea", "snacks", "sauces-spices", "beauty-herbal") else [],
        halal_body=halal_body, halal_number=halal_number, halal_expires_on=halal_expires,
        food_registration=food_kind, food_registration_number=food_number, npra_notification=item.npra,
    )


def seed_accounts() -> SeedReport:
    """Create the demo accounts that do not exist yet."""
    report = SeedReport()

    def exists(email: str) -> bool:
        if accounts.find_user_by_email(email) is not None:
            report.existing += 1
            return True
        report.created += 1
        return False

    for email, role, name, organisation, country in STAFF:
        if not exists(email):
            _mark_demo(accounts.create_staff(None, email, DEMO_PASSWORD, role, name, organisation, country))

    for row in MERCHANTS:
        data = dict(row)
        status, story = data.pop("status"), data.pop("story")
        if exists(data["email"]):
            continue
        user = accounts.register_merchant(accounts.MerchantSignup(password=DEMO_PASSWORD, locale="id", **data))
        _mark_demo(user)
        profile = user.merchant_profile
        profile.story = story
        profile.verification_status = status
        if status == VerificationStatus.VERIFIED:
            profile.verified_at = utcnow()

    for row in BUYERS:
        data = dict(row)
        if exists(data["email"]):
            continue
        email, phone = data.pop("email"), data.pop("phone")
        details = accounts.BuyerDetails(country="MY", region=None, phone=phone, **data)
        user = accounts.register_buyer(
            accounts.BuyerSignup(email=email, password=DEMO_PASSWORD, details=details, locale="en")
        )
        _mark_demo(user)

    db.session.flush()
    report.sign_ins = [
        ("admin@serumpun.example", "admin"),
        ("officer@serumpun.example", "officer, Pemkot Bandung"),
        ("officer.pj@serumpun.example", "officer, Majlis Bandaraya Petaling Jaya"),
        ("merchant@serumpun.example", "merchant, Sangrai Preanger Coffee (coffee roaster)"),
        ("buyer@serumpun.example", "buyer, Kedai Serumpun PJ (a shop in Petaling Jaya)"),
    ]
    return report
