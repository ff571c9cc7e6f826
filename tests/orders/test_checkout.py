"""Checkout through its services: one order per checkout, a parcel per merchant, stock taken once, copies kept."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.catalog.models import Product
from marketplace.core.models import utcnow
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.orders import checkout, lifecycle
from marketplace.orders.cart import CartRefused
from marketplace.orders.models import Order, OrderStatus, ParcelStatus, StatusChange

from .conftest import ADDRESS, BUYER, fill_cart, make, place


def stock(product_id: int) -> int:
    return db.session.scalar(select(Product.stock).where(Product.id == product_id))


def order_of(number: str) -> Order:
    return db.session.scalar(select(Order).where(Order.number == number))


def test_a_cart_of_two_merchants_becomes_one_order_with_two_parcels_and_stock_taken(app, two_shops):
    number = place(app, {two_shops["coffee"]: 24, two_shops["keripik"]: 3})
    with app.app_context():
        order = order_of(number)
        assert order.status == OrderStatus.PENDING_PAYMENT and len(number) == 10 and number.startswith("SR")
        assert [p.number for p in order.parcels] == [f"{number}-1", f"{number}-2"]
        assert {p.merchant_name for p in order.parcels} == {"Sangrai Preanger Coffee", "Keripik Ceu Enok"}
        coffee = next(p for p in order.parcels if p.merchant_name == "Sangrai Preanger Coffee").lines[0]
        # The tier price at 24 units, in rupiah and in ringgit at the order's rate; both names kept.
        assert (coffee.quantity, coffee.unit_price_idr, coffee.name_id, coffee.name_en) == (
            24, 78_000, "Kopi C-1", "Coffee C-1")
        assert coffee.unit_price_sen > 0 and coffee.hs_code == "090121"
        assert order.total_sen == sum(p.total_sen for p in order.parcels) == \
            order.goods_sen + order.shipping_sen + order.tax_sen
        assert order.myr_rate > 0 and order.myr_rate_on is not None
        for parcel in order.parcels:
            assert parcel.service_code and parcel.shipping_idr > 0 and parcel.boxes >= 1
            assert parcel.landed["entries"][0]["key"] == "goods"
            assert all(e["rule"]["effective_on"] for e in parcel.landed["entries"] if e["rule"])
            declared = parcel.declarations[0]
            assert declared["form"] in ("CN22", "CN23") and declared["lines"][0]["origin"] == "ID"
        assert stock(two_shops["coffee"]) == 120 - 24 and stock(two_shops["keripik"]) == 40 - 3
        assert fill_cart(BUYER, {}).lines() == {}  # the cart is emptied
        moves = db.session.scalars(select(StatusChange).where(StatusChange.subject == "order")).all()
        assert [(m.from_status, m.to_status) for m in moves] == [(None, "pending_payment")]


def test_customs_forms_describe_an_indonesian_only_product_in_english(app, two_shops):
    """Postal customs read English: the HS chapter's English name comes first, then the Indonesian name."""
    with app.test_request_context(headers={"Accept-Language": "id"}):
        sambal = make("keripik@serumpun.example", "K-ID", moq=1, stock=10, price_idr=30_000, tiers=[],
                      name_id="Sambal Cumi Pedas", name_en="", hs_code="210390", category="snacks")
        db.session.commit()
    number = place(app, {sambal: 2, two_shops["keripik"]: 1})
    with app.app_context():
        [parcel] = order_of(number).parcels
        described = {line["hs_code"]: line["description"] for line in parcel.declarations[0]["lines"]}
        assert described["210390"] == "Miscellaneous edible preparations: Sambal Cumi Pedas"
        assert described["200819"] == "Spicy Cassava Chips"


def test_the_same_checkout_sent_twice_makes_one_order(app, two_shops):
    first = place(app, {two_shops["tea"]: 2}, key="same-key-0123456789")
    again = place(app, {two_shops["tea"]: 1}, key="same-key-0123456789")  # a retry with the cart refilled
    with app.app_context():
        assert first == again
        assert db.session.scalar(select(db.func.count()).select_from(Order)) == 1
        assert stock(two_shops["tea"]) == 3


def test_an_order_keeps_its_prices_when_the_catalog_changes(app, two_shops):
    number = place(app, {two_shops["keripik"]: 2})
    with app.app_context():
        product = db.session.get(Product, two_shops["keripik"])
        product.price_idr, product.name_en = 99_000, "Renamed"
        db.session.commit()
        line = order_of(number).parcels[0].lines[0]
        assert (line.unit_price_idr, line.name_en) == (25_000, "Spicy Cassava Chips")


def test_more_than_is_left_is_refused_and_nothing_is_taken(app, two_shops):
    with app.test_request_context(method="POST", headers={"Accept-Language": "en"}):
        with unit_of_work(capture=False):
            cart = fill_cart(BUYER, {two_shops["tea"]: 4, two_shops["keripik"]: 2})
        # Another buyer takes three of the five teas meanwhile.
        db.session.get(Product, two_shops["tea"]).stock = 2
        db.session.commit()
        now = utcnow()
        from marketplace.rates.services import rates_in_force
        with unit_of_work() as work:
            checkout.place_order(cart.buyer, cart, ADDRESS, "k" * 20, "bank_transfer", rates_in_force(now.date()),
                                 "MYR", "en", now.date(), now, 30)
        assert isinstance(work.refused, (lifecycle.OutOfStock, CartRefused, checkout.CheckoutRefused))
        assert db.session.scalar(select(db.func.count()).select_from(Order)) == 0
        assert stock(two_shops["tea"]) == 2 and stock(two_shops["keripik"]) == 40
        assert cart.lines() == {two_shops["tea"]: 4, two_shops["keripik"]: 2}


@pytest.mark.parametrize(("postcode", "state", "fits"), [
    ("47300", "MY-10", True), ("50450", "MY-14", True), ("88000", "MY-12", True), ("10200", "MY-07", True),
    ("47300", "MY-14", False), ("88000", "MY-13", False), ("4730", "MY-10", False), ("4730a", "MY-10", False),
])
def test_a_postcode_must_fit_the_state(app, two_shops, postcode, state, fits):
    address = checkout.Address(ADDRESS.name, ADDRESS.phone, ADDRESS.line1, None, ADDRESS.city, postcode, state)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        if fits:
            checkout.check_address(address)
        else:
            with pytest.raises(checkout.CheckoutRefused) as refusal:
                checkout.check_address(address)
            assert refusal.value.field == "postcode"


def test_an_unpaid_order_expires_after_its_hold_and_gives_its_stock_back(app, two_shops):
    placed_at = utcnow() - timedelta(minutes=31)
    number = place(app, {two_shops["tea"]: 5, two_shops["keripik"]: 1}, now=placed_at)
    fresh = place(app, {two_shops["keripik"]: 1}, buyer_email="buyer.kl@serumpun.example")
    with app.app_context():
        assert stock(two_shops["tea"]) == 0
        with unit_of_work(capture=False):
            expired = lifecycle.release_expired(utcnow())
        assert expired == [number]
        assert order_of(number).status == OrderStatus.EXPIRED
        assert {p.status for p in order_of(number).parcels} == {ParcelStatus.CANCELLED}
        assert order_of(fresh).status == OrderStatus.PENDING_PAYMENT
        assert stock(two_shops["tea"]) == 5 and stock(two_shops["keripik"]) == 40 - 1
        with unit_of_work(capture=False):
            assert lifecycle.release_expired(utcnow()) == []  # a second run gives nothing back twice
        assert stock(two_shops["tea"]) == 5


def test_the_release_expired_command_expires_what_the_jobs_missed(app, two_shops):
    number = place(app, {two_shops["tea"]: 2}, now=utcnow() - timedelta(hours=2))
    result = app.test_cli_runner().invoke(args=["release-expired"])
    assert result.exit_code == 0, result.output
    assert number in result.output
    with app.app_context():
        assert order_of(number).status == OrderStatus.EXPIRED and stock(two_shops["tea"]) == 5


def test_an_illegal_move_raises_and_changes_nothing(app, two_shops):
    number = place(app, {two_shops["tea"]: 1})
    with app.test_request_context(headers={"Accept-Language": "en"}):
        parcel = order_of(number).parcels[0]
        with pytest.raises(lifecycle.InvalidTransition):
            lifecycle.move_parcel(parcel, ParcelStatus.SHIPPED, None)
        db.session.rollback()
        assert order_of(number).parcels[0].status == ParcelStatus.PENDING_PAYMENT


def test_an_order_keeps_the_buyers_currency_and_its_rate(app, client, two_shops):
    number = place(app, {two_shops["keripik"]: 2}, display_currency="SGD")
    with app.app_context():
        order = order_of(number)
        assert order.display_currency == "SGD" and order.display_rate > 0 and order.display_rate_on
        line = order.parcels[0].lines[0]
        assert 0 < line.display_unit_price < line.unit_price_sen  # a Singapore dollar is worth about 3.3 ringgit
        shown = order.in_display_currency(order.total_sen)
        assert shown.currency == "SGD" and 0 < shown.amount < order.total_sen
    client.login(BUYER)
    page = client.get(f"/orders/{number}").get_data(as_text=True)
    assert "SGD" in page and "1 SGD =" in page


def test_a_moq_raised_after_the_cart_was_filled_is_refused_at_checkout(app, two_shops):
    with app.test_request_context(method="POST", headers={"Accept-Language": "en"}):
        with unit_of_work(capture=False):
            cart = fill_cart(BUYER, {two_shops["keripik"]: 2})
        db.session.get(Product, two_shops["keripik"]).moq = 10
        db.session.commit()
        now = utcnow()
        from marketplace.rates.services import rates_in_force
        with unit_of_work() as work:
            checkout.place_order(cart.buyer, cart, ADDRESS, "m" * 20, "bank_transfer", rates_in_force(now.date()),
                                 "MYR", "en", now.date(), now, 30)
        assert "now sold from 10 units" in str(work.refused.message)
        assert stock(two_shops["keripik"]) == 40


def test_a_move_decided_on_a_stale_status_changes_nothing(app, two_shops):
    """A job read the order as unpaid; the buyer cancelled meanwhile: the job must not give the stock back again."""
    from sqlalchemy import update

    number = place(app, {two_shops["tea"]: 5}, now=utcnow() - timedelta(hours=1))
    with app.test_request_context(headers={"Accept-Language": "en"}):
        order = order_of(number)
        assert order.status == OrderStatus.PENDING_PAYMENT  # what the job read
        # Another transaction cancels it (and gives the stock back) behind the job's back.
        db.session.execute(update(Order).where(Order.id == order.id).values(status=OrderStatus.CANCELLED)
                           .execution_options(synchronize_session=False))
        db.session.execute(update(Product).where(Product.id == two_shops["tea"]).values(stock=5)
                           .execution_options(synchronize_session=False))
        with pytest.raises(lifecycle.InvalidTransition):
            lifecycle.expire_order(order, utcnow())
        assert stock(two_shops["tea"]) == 5  # given back once, by the cancel; not a second time
        assert db.session.scalar(select(Order.status).where(Order.id == order.id)) == OrderStatus.CANCELLED
        db.session.rollback()
