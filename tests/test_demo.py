"""flask seed-demo: the accounts the README promises, made once."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import MerchantProfile, Role, User
from marketplace.catalog.models import Product, ProductStatus
from marketplace.core.places import KECAMATAN, MALAYSIAN_STATES
from marketplace.extensions import db

from .helpers import Client, text_of


@pytest.fixture(scope="module")
def seeded(shared_data):
    """`flask seed-demo` run twice on an empty database, once for the module: its catalog takes long to make."""
    with shared_data.building() as app:
        runner = app.test_cli_runner()
        return runner.invoke(args=["seed-demo"]), runner.invoke(args=["seed-demo"])


def test_seed_demo_is_idempotent_and_makes_every_role_and_the_catalog(app, seeded):
    first, second = seeded
    assert first.exit_code == 0, first.output
    assert "17 created" in first.output
    assert "Demo products: 60 created" in first.output
    assert "0 created, 17 already there" in second.output
    assert "Demo products: 0 created, 60 already there" in second.output
    with app.app_context():
        products = db.session.scalars(select(Product)).all()
        assert len(products) == 60
        assert sum(p.status == ProductStatus.PUBLISHED for p in products) >= 50
        assert all(p.photos for p in products)
        assert len({p.merchant_id for p in products}) == 8
        assert sum(bool(p.tiers) for p in products) >= 20
        assert sum(p.halal_valid_on(date(2026, 12, 1)) for p in products) >= 25
        assert any(p.food_registration for p in products) and any(p.npra_notification for p in products)
        published = [p for p in products if p.status == ProductStatus.PUBLISHED]
        assert all(p.hs_code and p.packed_weight_g and p.box_length_mm for p in published)
        assert [p.sku for p in published if not p.name_en] == ["STE-DADAK"]  # shows "in Indonesian" to others
    client = Client(app)
    page = client.get(f"/products/{published[0].id}")
    assert page.status_code == 200
    image = page.get_data(as_text=True).split('<img src="')[1].split('"')[0]
    assert client.get(image).status_code == 200
    with app.app_context():
        counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
        assert counts == {Role.ADMIN: 1, Role.OFFICER: 2, Role.MERCHANT: 8, Role.BUYER: 6}
        merchants = db.session.scalars(select(MerchantProfile)).all()
        assert len({m.kecamatan for m in merchants}) == 8
        assert all(m.kecamatan in KECAMATAN for m in merchants)
        categories = {c for m in merchants for c in m.categories}
        assert {"coffee-tea", "snacks", "sauces-spices", "batik-textiles", "modest-fashion", "bags-leather",
                "crafts-decor", "beauty-herbal"} <= categories
        buyers = db.session.scalars(select(User).where(User.role == Role.BUYER)).all()
        assert len({b.buyer_profile.state for b in buyers}) == 6
        assert all(b.buyer_profile.state in MALAYSIAN_STATES for b in buyers)


def test_demo_sign_ins_work_with_the_demo_password(app, demo):
    expected = {
        "admin@serumpun.example": "/admin/",
        "officer@serumpun.example": "/officer/",
        "merchant@serumpun.example": "/merchant/",
        "buyer@serumpun.example": "/",
    }
    for email, home in expected.items():
        response = Client(app).login(email, "serumpun-demo")
        assert response.headers["Location"] == home, email


def test_no_demo_accounts_without_seed_demo(app):
    assert Client(app).login("admin@serumpun.example", "serumpun-demo").status_code == 400


def test_seed_demo_refuses_to_run_in_production(app_factory):
    app = app_factory(SERUMPUN_ENV="production", SECRET_KEY="a-long-production-secret", SERVER_NAME="localhost")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "refuses to run in production" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_every_published_demo_product_has_a_delivered_price_to_every_state(app, seeded):
    from marketplace.catalog.delivery import delivered_price
    from marketplace.rates.services import rates_in_force

    with app.test_request_context():
        today = date.today()
        rate = rates_in_force(today)["MYR"]
        products = db.session.scalars(select(Product).where(Product.status == ProductStatus.PUBLISHED)).all()
        for product in products:
            for state in MALAYSIAN_STATES:
                delivered = delivered_price(product, product.moq, state, rate, today)
                assert delivered is not None and delivered.cheapest is not None, (product.sku, state)
                assert delivered.cheapest.total.amount > 0


def test_the_demo_has_a_product_above_rm500_that_opens_in_every_language_with_its_import_taxes(demo):
    from marketplace.demo.catalog import PRODUCTS
    from marketplace.demo.seed import SeedReport, seed_catalog
    from marketplace.media.storage import storage
    from marketplace.rates.services import rates_in_force

    with demo.test_request_context():
        rate = rates_in_force(date.today())["MYR"].idr_per_unit
        above = {p.sku for p in PRODUCTS if p.published and p.price > 500 * rate}
        assert above, "no published demo product costs more than RM500"
        seed_catalog(storage(), SeedReport(), skus=above)  # only these: drawing all sixty takes half a minute
        db.session.commit()
        product_ids = db.session.scalars(select(Product.id).where(Product.status == ProductStatus.PUBLISHED)).all()
    assert len(product_ids) == len(above)
    for language, duty, form_d, tax in (("en", "Import duty", "(0% with Form D)", "Sales tax on import"),
                                        ("id", "Bea masuk", "(0% dengan Form D)", "Pajak penjualan impor"),
                                        ("ms", "Duti import", "(0% dengan Borang D)", "Cukai jualan import")):
        client = Client(demo)
        client.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        for product_id in product_ids:
            response = client.get(f"/products/{product_id}")
            assert response.status_code == 200, language
            page = text_of(response)
            assert f"{duty} {form_d}" in page and tax in page, language


def test_the_demo_buyer_has_a_cart_with_two_parcels(app, seeded):
    client = Client(app)
    client.login("buyer@serumpun.example")
    client.post("/language", {"language": "en", "next": "/"}, token_from="/")
    cart = text_of(client.get("/cart/"))
    assert cart.count("Parcel from") == 2 and "Total delivered, estimated" in cart


def test_the_demo_buyer_has_two_saved_products(app, seeded):
    client = Client(app)
    client.login("buyer@serumpun.example")
    page = client.get("/account/saved/").get_data(as_text=True)
    assert page.count('class="product-card"') == 2


def test_seed_demo_places_the_demo_buyers_orders_in_each_state_once(app, seeded):
    from marketplace.orders.models import Order, OrderStatus, ParcelStatus

    first, second = seeded
    assert "Demo orders: 4 placed." in first.output and "Demo orders: 0 placed." in second.output
    with app.app_context():
        orders = db.session.scalars(select(Order).where(Order.checkout_key.like("demo-order-%"))
                                    .order_by(Order.id)).all()
        assert [o.status for o in orders] == [OrderStatus.PAID] * 3 + [OrderStatus.PENDING_PAYMENT]
        parcels = [{p.status for p in o.parcels} for o in orders]
        assert parcels == [{ParcelStatus.DELIVERED}, {ParcelStatus.SHIPPED}, {ParcelStatus.PAID},
                           {ParcelStatus.PENDING_PAYMENT}]
        assert all(p.tracking_number for p in orders[1].parcels) and len(orders[1].parcels) == 2
        assert all(p.stock >= 0 for p in db.session.scalars(select(Product)))
    client = Client(app)
    client.login("buyer@serumpun.example")
    page = text_of(client.get("/orders/"))
    assert all(o.number in page for o in orders)
    assert "Pay by bank transfer" in text_of(client.get(f"/orders/{orders[3].number}"))
    assert "Pos Laju" in text_of(client.get(f"/orders/{orders[1].number}"))
    # The demo cart is still there beside the orders.
    assert "Parcel from" in text_of(client.get("/cart/"))
    client.logout()
    client.login("officer@serumpun.example")
    assert orders[3].number in text_of(client.get("/officer/payments/"))


def test_seed_demo_publishes_two_showcases_one_for_a_petaling_jaya_trade_week(app, seeded):
    from marketplace.showcases.models import Showcase, ShowcaseStatus

    first, second = seeded
    assert "Demo showcases: 2 published." in first.output and "Demo showcases: 0 published." in second.output
    with app.app_context():
        showcases = db.session.scalars(select(Showcase).order_by(Showcase.id)).all()
        assert [s.status for s in showcases] == [ShowcaseStatus.PUBLISHED] * 2
        assert [s.event_name for s in showcases] == ["Petaling Jaya Trade Week", None]
        assert all(3 <= len(s.items) <= 8 and s.cover and s.title_id and s.title_ms for s in showcases)
        slugs = [s.slug for s in showcases]
    client = Client(app)
    home = client.get("/").get_data(as_text=True)
    assert all(f'href="/showcases/{slug}"' in home for slug in slugs)
    assert client.get(f"/showcases/{slugs[0]}/line-sheet.pdf").get_data().startswith(b"%PDF-")
def test_seed_demo_leaves_a_verification_waiting_with_documents_and_a_report(app, seeded):
    from marketplace.accounts.models import VerificationMove, VerificationStatus
    from marketplace.moderation.models import ListingReport, ReportStatus
    from marketplace.verification.models import MerchantDocument

    with app.app_context():
        batik = db.session.scalar(select(User).where(User.email == "batik@serumpun.example")).merchant_profile
        assert batik.verification_status == VerificationStatus.PENDING and batik.legal_name
        documents = db.session.scalars(select(MerchantDocument).where(MerchantDocument.merchant_id == batik.id)).all()
        assert {d.content_type for d in documents} == {"application/pdf", "image/jpeg"}
        assert db.session.scalar(select(VerificationMove.to_status).where(VerificationMove.merchant_id == batik.id)) \
            == "pending"
        assert db.session.scalar(select(ListingReport.status)) == ReportStatus.OPEN
        coffee = db.session.scalar(select(User).where(User.email == "merchant@serumpun.example")).merchant_profile
        assert coffee.verification_status == VerificationStatus.VERIFIED and coffee.verified_at is not None
        document_id = documents[0].id
    officer = Client(app)
    officer.login("officer@serumpun.example")
    assert "Batik Kujang Pasundan" in text_of(officer.get("/officer/merchants/?status=pending"))
    assert officer.get(f"/documents/{document_id}").status_code == 200
    assert "1 open report." in text_of(officer.get("/officer/reports/"))


def test_seed_demo_gives_the_buyer_an_inquiry_in_each_status_and_buying_requests(app, seeded):
    from marketplace.trade.models import BuyingRequest, Inquiry, QuoteStatus

    with app.app_context():
        inquiries = db.session.scalars(select(Inquiry).order_by(Inquiry.id)).all()
        assert len(inquiries) == 6  # five asked from product pages, one answer to a buying request; made once
        assert sorted(i.status.value for i in inquiries if i.product_id) == \
            ["accepted", "declined", "expired", "open", "quoted"]
        assert {q.status for i in inquiries for q in i.quotes} == {QuoteStatus.OFFERED, QuoteStatus.ACCEPTED,
                                                                   QuoteStatus.DECLINED, QuoteStatus.EXPIRED}
        requests = db.session.scalars(select(BuyingRequest).order_by(BuyingRequest.id)).all()
        assert [len(r.inquiries) for r in requests] == [1, 0]  # the officer's waits for an answer
        accepted = next(i.id for i in inquiries if i.status.value == "accepted")
    buyer = Client(app)
    buyer.login("buyer@serumpun.example")
    assert buyer.get(f"/inquiries/{accepted}/checkout").status_code == 200  # ready to order at the quoted price
    officer = Client(app)
    officer.login("officer.pj@serumpun.example")
    assert "No answer" in text_of(officer.get("/officer/requests/"))


def test_seed_demo_adds_six_months_of_paid_orders_from_six_states_that_rise(app, seeded):
    import re
    from zoneinfo import ZoneInfo

    from marketplace.core.models import utcnow
    from marketplace.orders.models import Order, OrderStatus
    from marketplace.payables.models import LedgerEntry
    from marketplace.stats import figures as stats

    first, second = seeded
    placed = re.search(r"Demo trade history \(six months of paid orders\): (\d+) placed.", first.output)
    assert placed and int(placed.group(1)) >= 25, first.output
    assert "Demo trade history (six months of paid orders): 0 placed." in second.output
    zone = ZoneInfo("Asia/Jakarta")
    with app.test_request_context():
        today = stats.local_today(utcnow(), zone)
        figures = stats.figures(stats.default_range(today), zone, today, 7)
        values = [month.sen for month in figures.months]
        assert len(values) == 6 and all(values)
        # A trend: the latest full month sells several times the first, and the last two more than the first two.
        assert values[4] > 2 * values[0] and values[3] + values[4] > values[0] + values[1]
        assert len(figures.states) == 6 and figures.buyers == 6
        assert len([c for c in figures.categories if c.units]) >= 6
        # Each order is dated on its day everywhere: its payment, and its merchants' ledger entries.
        history = db.session.scalars(select(Order).where(Order.checkout_key.like("demo-history-%"))).all()
        assert all(order.status == OrderStatus.PAID for order in history)
        for order in history:
            day = stats.local_today(order.paid_at, zone)
            dates = db.session.scalars(select(LedgerEntry.entry_date).where(
                LedgerEntry.merchant_order_id.in_([p.id for p in order.parcels]))).all()
            assert dates and set(dates) == {day}
            assert order.created_at <= order.paid_at


def test_a_malaysian_buyer_searching_keropok_finds_the_demo_kerupuk(app, seeded):
    client = Client(app)
    client.post("/language", {"language": "ms", "next": "/"}, token_from="/")
    page = text_of(client.get("/products?q=keropok"))
    assert "Beef Skin Crackers 250 g" in page and "Dry Seblak Crackers, Level 3, 100 g" in page
    assert "Memaparkan hasil untuk “keropok”, “kerupuk”" in page
    officer = Client(app)
    officer.login("officer@serumpun.example")
    assert "minyak wangi, parfum, perfume" in text_of(officer.get("/officer/synonyms/"))
