"""Demo trade: the demo buyer's inquiries with a quote in each status, and buying requests.

Kedai Serumpun PJ asks five merchants (one waits for a quote, one is quoted, one accepted and ready to
check out at its price, one declined, one whose quote ran out), a buying request the coffee roaster
answered, and an officer's request for a Petaling Jaya trade week that no merchant has answered yet.
Everything goes through the services the pages use, at times in the past, so the threads, unread counts
and the audit trail read as they would. Idempotent: nothing is added once the demo buyer has inquiries.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from ..accounts import services as accounts
from ..catalog.models import Product, ProductStatus
from ..core.models import utcnow
from ..extensions import db
from ..trade import requests as buying
from ..trade import services as trade
from ..trade.models import BuyingRequest, Inquiry, ShippingTerms

BUYER = "buyer@serumpun.example"


@dataclass(frozen=True)
class DemoInquiry:
    merchant: str
    quantity: int
    days_ago: int
    ask: str  # the buyer writes in English
    reply: str | None  # the merchant answers in Indonesian
    discount: float | None  # the quote's price against the tier price; None: no quote yet
    valid_days: int  # from the day of the quote
    outcome: str  # open, quoted, accepted, declined, expired
    sea_freight: tuple[int, int] | None = None  # (freight in rupiah, days): by sea instead of a courier


INQUIRIES = [
    DemoInquiry("keripik", 200, 1, "Hello, we stock snacks for 12 shops in Selangor. Could you do 200 packs a month "
                "with our own price sticker on the back?", None, None, 0, "open"),
    DemoInquiry("merchant", 48, 3, "We would like 48 bags for our café chain in PJ every month. Can you do a better "
                "price than the 48-unit tier?", "Bisa, Bu. Untuk 48 kantong per bulan kami beri harga khusus; "
                "kopi disangrai seminggu sebelum kirim.", 0.9, 14, "quoted"),
    DemoInquiry("sambal", 36, 6, "Three cartons of sambal for our Hari Raya hampers, please. Are the jars sealed "
                "for shipping?", "Botol kaca tersegel dan dibungkus bubble wrap, Bu. Harga sudah termasuk "
                "kardus ganda.", 0.92, 14, "accepted"),
    DemoInquiry("hijab", 60, 10, "Do you have the voile hijab in 5 colours, 12 each, for our boutique?",
                "Ada, Bu. Lima warna masing-masing 12 helai.", 0.95, 10, "declined"),
    DemoInquiry("bamboo", 40, 25, "We are looking at 40 bamboo lamps for a hotel lobby in KL.",
                "Lampu bambu bisa kami buat dalam 3 minggu, Bu. Kami kirim lewat kargo laut ke Port Klang.", 0.88, 7,
                "expired", (2_400_000, 24)),
]


def _product(merchant: str, quantity: int) -> Product | None:
    user = accounts.find_user_by_email(f"{merchant}@serumpun.example")
    if user is None or user.merchant_profile is None:
        return None
    return db.session.scalar(select(Product).where(
        Product.merchant_id == user.merchant_profile.id, Product.status == ProductStatus.PUBLISHED,
        Product.stock >= quantity).order_by(Product.id).limit(1))


def seed_trade() -> int:
    """The demo inquiries and buying requests, unless the demo buyer has inquiries; how many inquiries were made."""
    buyer = accounts.find_user_by_email(BUYER)
    if buyer is None or db.session.scalar(select(Inquiry.id).where(Inquiry.buyer_id == buyer.id).limit(1)):
        return 0
    made = 0
    for item in INQUIRIES:
        product = _product(item.merchant, item.quantity)
        if product is None:
            continue
        merchant_user = product.merchant.user
        start = utcnow() - timedelta(days=item.days_ago)
        ask = trade.Ask(item.quantity, None, "MYR", "MY-10", trade.bandung_today(start) + timedelta(days=45),
                        item.ask)
        inquiry = trade.ask_merchant(buyer, product.merchant, product, ask, "en", start)
        made += 1
        if item.reply is None:
            continue
        replied = start + timedelta(hours=3)
        trade.write_message(merchant_user, inquiry, item.reply, "id", replied)
        freight, days = item.sea_freight or (None, None)
        terms = trade.QuoteTerms(product.id, max(1, round(product.unit_price_for(item.quantity) * item.discount)),
                                 item.quantity, trade.bandung_today(replied) + timedelta(days=item.valid_days),
                                 ShippingTerms.SEA_FREIGHT if freight else ShippingTerms.COURIER,
                                 "Harga belum termasuk pajak Malaysia." if freight else
                                 "Harga belum termasuk ongkos kirim dan pajak Malaysia.", freight, days)
        quote = trade.make_quote(merchant_user, inquiry, terms, "id", replied + timedelta(minutes=5))
        answered = replied + timedelta(days=1)
        if item.outcome == "accepted":
            trade.accept_quote(buyer, inquiry, quote.id, answered)
        elif item.outcome == "declined":
            trade.write_message(buyer, inquiry, "Thank you, but it is above our budget this season.", "en", answered)
            trade.decline_quote(buyer, inquiry, quote.id, answered)
        elif item.outcome == "expired":
            trade.expire_quote(quote.id, utcnow())
    _seed_requests(buyer)
    db.session.flush()
    return made


def _seed_requests(buyer) -> None:
    now = utcnow()
    today = trade.bandung_today(now)
    if not db.session.scalar(select(BuyingRequest.id).where(BuyingRequest.author_id == buyer.id).limit(1)):
        posted = buying.post_request(buyer, buying.RequestData(
            "Arabica coffee beans, 250 g packs, for a café chain", "Medium roast, whole beans, one-way valve bags. "
            "Halal certificate needed.", "coffee-tea", 120, 4500, "MYR", "MY-10", today + timedelta(days=30)),
            now - timedelta(days=2))
        roaster = accounts.find_user_by_email("merchant@serumpun.example")
        if roaster is not None and buying.may_answer(roaster.merchant_profile):
            buying.answer_request(roaster, posted.id, "Kami bisa kirim 120 kantong 250 g tiap bulan, Bu. "
                                  "Sertifikat halal BPJPH ada.", "id", now - timedelta(days=1))
    officer = accounts.find_user_by_email("officer.pj@serumpun.example")
    if officer is not None and not db.session.scalar(
            select(BuyingRequest.id).where(BuyingRequest.author_id == officer.id).limit(1)):
        buying.post_request(officer, buying.RequestData(
            "Bamboo and rattan home decor for the Petaling Jaya trade week", "Samples for 20 booths; the "
            "delegation orders after the fair.", "crafts-decor", 200, None, "MYR", "MY-10",
            today + timedelta(days=21)), now - timedelta(hours=6))
