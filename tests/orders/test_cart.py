"""The cart's rules, through its services: what may be added, in what quantity, and how it is priced."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from flask_babel import force_locale

from marketplace.accounts import services as accounts
from marketplace.catalog import services as catalog
from marketplace.catalog.models import ProductStatus
from marketplace.extensions import db
from marketplace.money import Money
from marketplace.orders import cart as carts
from marketplace.rates.services import rates_in_force

from .conftest import make

TODAY = date(2026, 12, 2)


@pytest.fixture()
def shop(app, demo):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        ids = {"coffee": make("merchant@serumpun.example", "C-1"),
               "tea": make("merchant@serumpun.example", "C-2", moq=1, stock=5),
               "keripik": make("keripik@serumpun.example", "K-1", moq=1, stock=40, price_idr=25_000, tiers=[]),
               "draft": make("merchant@serumpun.example", "C-3", publish=False)}
        db.session.commit()
    return ids


BAD = ["lima puluh", "0", "-1", "1.5", str(2**63), "", " ", "١٢", "5", "121"]


@pytest.mark.parametrize("raw", BAD)
def test_a_bad_quantity_is_refused_with_what_is_allowed_and_nothing_changes(app, shop, raw):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        cart = carts.SessionCart({})
        with pytest.raises(carts.CartRefused) as refusal:
            carts.add_to_cart(cart, shop["coffee"], raw)
        assert "Enter a whole number from 6 to 120." in str(refusal.value.message)
        assert cart.lines() == {}


@pytest.mark.parametrize(("language", "below", "above"), [
    ("en", "This product is sold from 6 units.", "Only 120 are in stock."),
    ("id", "Produk ini dijual mulai 6 unit.", "Stok hanya 120."),
    ("ms", "Produk ini dijual daripada 6 unit.", "Stok hanya 120."),
])
def test_refusals_read_in_the_readers_language(app, shop, language, below, above):
    with app.test_request_context(headers={"Accept-Language": "en"}), force_locale(language):
        cart = carts.SessionCart({})
        with pytest.raises(carts.CartRefused) as low:
            carts.add_to_cart(cart, shop["coffee"], "5")
        with pytest.raises(carts.CartRefused) as high:
            carts.add_to_cart(cart, shop["coffee"], "121")
        assert str(low.value.message).startswith(below) and str(high.value.message).startswith(above)


def test_the_smallest_and_largest_quantities_are_taken_and_lines_add_up(app, shop):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        cart = carts.SessionCart({})
        assert carts.add_to_cart(cart, shop["coffee"], "6") == 6
        assert carts.add_to_cart(cart, shop["coffee"], "114") == 120  # exactly the stock
        with pytest.raises(carts.CartRefused):
            carts.add_to_cart(cart, shop["coffee"], "1")  # one more than the stock
        with pytest.raises(carts.CartRefused):
            carts.add_to_cart(cart, shop["coffee"], "0")
        assert cart.lines() == {shop["coffee"]: 120}
        assert carts.set_quantity(cart, shop["coffee"], "24") == 24
        with pytest.raises(carts.CartRefused):
            carts.set_quantity(cart, shop["coffee"], "5")
        assert cart.lines() == {shop["coffee"]: 24}
        carts.remove_from_cart(cart, shop["coffee"])
        assert cart.lines() == {} and carts.cart_count(cart) == 0


def test_only_products_buyers_may_see_go_in_the_cart(app, shop):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        cart = carts.SessionCart({})
        for product_id in (shop["draft"], 999_999):
            with pytest.raises(carts.CartRefused) as refusal:
                carts.add_to_cart(cart, product_id, "6")
            assert str(refusal.value.message) == "This product is not for sale."
        assert cart.lines() == {}


def test_the_cart_is_parcels_per_merchant_at_the_tier_price_with_landed_cost(app, shop):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        rate = rates_in_force(TODAY)["MYR"]
        cart = carts.SessionCart({})
        carts.add_to_cart(cart, shop["coffee"], "24")  # reaches the Rp 78,000 tier
        carts.add_to_cart(cart, shop["tea"], "2")
        carts.add_to_cart(cart, shop["keripik"], "3")
        view = carts.view_cart(cart, "MY-10", rate, TODAY)
        assert len(view.parcels) == 2 and view.count == 29
        coffee = next(line for parcel in view.parcels for line in parcel.lines if line.product.id == shop["coffee"])
        assert coffee.unit_price_idr == 78_000 and coffee.total_idr == 24 * 78_000
        assert view.goods_idr == 24 * 78_000 + 2 * 85_000 + 3 * 25_000
        for parcel in view.parcels:
            assert parcel.priced.chosen is not None
            assert parcel.priced.chosen.price_idr == min(o.price_idr for o in parcel.priced.quote.options)
            assert parcel.priced.landed.amount("goods") == sum(line.total_sen for line in parcel.lines)
        assert view.total_sen == sum(p.priced.landed.total_sen for p in view.parcels)
        assert view.delivered_per_unit_sen == (2 * view.total_sen + 29) // 58


def test_a_chosen_courier_prices_its_parcel_and_one_that_cannot_carry_it_is_refused(app, shop):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        rate = rates_in_force(TODAY)["MYR"]
        cart = carts.SessionCart({})
        carts.add_to_cart(cart, shop["tea"], "1")
        merchant_id = accounts.find_user_by_email("merchant@serumpun.example").merchant_profile.id
        carts.choose_courier(cart, merchant_id, "express", "MY-12")
        parcel = carts.view_cart(cart, "MY-12", rate, TODAY).parcels[0]
        assert parcel.priced.chosen.service.code == "express"
        assert parcel.priced.chosen.price_idr > parcel.priced.quote.cheapest.price_idr
        with pytest.raises(carts.CartRefused):
            carts.choose_courier(cart, merchant_id, "no-such-service", "MY-12")
        with pytest.raises(carts.CartRefused):
            carts.choose_courier(cart, 999_999, "express", "MY-12")
        assert cart.couriers() == {merchant_id: "express"}


def test_a_line_whose_product_was_unpublished_is_set_apart(app, shop):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        cart = carts.SessionCart({})
        carts.add_to_cart(cart, shop["tea"], "2")
        merchant = accounts.find_user_by_email("merchant@serumpun.example")
        catalog.change_status(merchant, shop["tea"], ProductStatus.DRAFT)
        view = carts.view_cart(cart, "MY-10", rates_in_force(TODAY)["MYR"], TODAY)
        assert view.parcels == () and view.unavailable == ((shop["tea"], 2),)


def test_a_guest_cart_joins_the_buyers_at_sign_in(app, shop):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        buyer = accounts.find_user_by_email("buyer@serumpun.example")
        mine = carts.DatabaseCart(buyer)
        carts.add_to_cart(mine, shop["coffee"], "100")
        carts.add_to_cart(mine, shop["keripik"], "1")
        guest = carts.SessionCart({})
        carts.add_to_cart(guest, shop["coffee"], "30")  # 130 would be more than the 120 in stock
        carts.add_to_cart(guest, shop["keripik"], "2")
        carts.add_to_cart(guest, shop["tea"], "5")
        notices = carts.merge_carts(guest, mine)
        db.session.commit()
        assert carts.DatabaseCart(buyer).lines() == {shop["coffee"]: 100, shop["keripik"]: 3, shop["tea"]: 5}
        assert [p.id for p in notices] == [shop["coffee"]] and guest.lines() == {}


def test_a_database_cart_keeps_one_line_per_product_and_never_a_quantity_below_one(app, shop):
    from sqlalchemy.exc import IntegrityError

    from marketplace.orders.models import CartLine

    with app.test_request_context(headers={"Accept-Language": "en"}):
        buyer = accounts.find_user_by_email("buyer@serumpun.example")
        cart = carts.DatabaseCart(buyer)
        carts.add_to_cart(cart, shop["tea"], "1")
        carts.add_to_cart(cart, shop["tea"], "1")
        assert cart.lines() == {shop["tea"]: 2}
        db.session.add(CartLine(buyer_id=buyer.id, product_id=shop["coffee"], quantity=0))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize("currency", ["MYR", "SGD", "USD", "IDR"])
def test_cart_totals_in_the_buyers_currency_go_from_ringgit_through_the_rupiah_rounded_once(app, shop, currency):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        rates = rates_in_force(TODAY)
        cart = carts.SessionCart({})
        carts.add_to_cart(cart, shop["coffee"], "24")
        carts.add_to_cart(cart, shop["keripik"], "3")
        view = carts.view_cart(cart, "MY-10", rates["MYR"], TODAY)
        totals = view.shown_in(currency, rates)

        # Worked out here the long way: ringgit sen -> rupiah -> the currency, one rounding at the end.
        rupiah_per_sen = rates["MYR"].idr_per_unit / 100
        per_minor = {"IDR": Decimal(1), **{c: rates[c].idr_per_unit / 100 for c in ("MYR", "SGD", "USD")}}

        def expected(sen: int, units: int = 1) -> tuple[Money, Money, Money]:
            rupiah = Decimal(sen) * rupiah_per_sen
            return (Money(half_up(rupiah / per_minor[currency] / units), currency),
                    Money(half_up(rupiah / units), "IDR"), Money(half_up(Decimal(sen) / units), "MYR"))

        assert totals.currency == currency
        assert [r.currency for r in totals.rates] == (["MYR"] if currency in ("MYR", "IDR") else ["MYR", currency])
        total = totals.total
        assert (total.shown, total.idr, total.myr) == expected(view.total_sen)
        assert total.myr.amount == view.total_sen
        per_unit = totals.per_unit
        assert (per_unit.shown, per_unit.idr, per_unit.myr) == expected(view.total_sen, 27)
        assert per_unit.myr.amount == view.delivered_per_unit_sen  # the ringgit figure is the one it always was
        assert len(totals.parcels) == 2
        for parcel, shown in zip(view.parcels, totals.parcels, strict=True):
            assert (shown.shown, shown.idr, shown.myr) == expected(parcel.priced.landed.total_sen)


def test_cart_totals_stay_in_ringgit_without_a_rate_for_the_buyers_currency(app, shop):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        rates = {"MYR": rates_in_force(TODAY)["MYR"]}
        cart = carts.SessionCart({})
        carts.add_to_cart(cart, shop["tea"], "2")
        view = carts.view_cart(cart, "MY-10", rates["MYR"], TODAY)
        totals = view.shown_in("SGD", rates)
        assert totals.currency == "MYR" and totals.total.shown == Money(view.total_sen, "MYR")
        assert totals.rates == (rates["MYR"],)
        assert carts.view_cart(cart, "MY-10", None, TODAY).shown_in("SGD", rates) is None  # no ringgit rate: no total


def test_a_parcel_that_cannot_ship_has_no_total_and_nor_has_the_cart(app, shop):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        rates = rates_in_force(TODAY)
        cart = carts.SessionCart({})
        heavy = make("keripik@serumpun.example", "K-HEAVY", moq=1, stock=10, tiers=[], packed_weight_g=90_000)  # no courier takes 90 kg in one piece
        carts.add_to_cart(cart, shop["tea"], "1")
        carts.add_to_cart(cart, heavy, "1")
        view = carts.view_cart(cart, "MY-10", rates["MYR"], TODAY)
        totals = view.shown_in("SGD", rates)
        assert totals.total is None and totals.per_unit is None  # the cart's total needs every parcel
        by_merchant = {p.merchant.id: shown for p, shown in zip(view.parcels, totals.parcels, strict=True)}
        tea_parcel = next(p for p in view.parcels if p.lines[0].product.id == shop["tea"])
        heavy_parcel = next(p for p in view.parcels if p.lines[0].product.id == heavy)
        assert by_merchant[heavy_parcel.merchant.id] is None
        assert by_merchant[tea_parcel.merchant.id].shown.currency == "SGD"
