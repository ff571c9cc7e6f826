"""Buyers racing for the last units, on real threads with their own connections: no unit is sold twice.

Each buyer is a thread with its own app context, session and database connection, started together
by a barrier, checking out through the same service the checkout page calls. On SQLite (a file) the
writers queue for the lock (BEGIN IMMEDIATE); on PostgreSQL they meet on the product's row and the
conditional UPDATE decides. Either way: as many orders as there were units, stock 0 and never below,
and every other buyer told why, with nothing of theirs written. Checkouts and give-backs that share
products lock them in one order (product id), so that on PostgreSQL they wait instead of deadlocking.
"""
from __future__ import annotations

import secrets
import threading

import pytest
from sqlalchemy import func, select

from marketplace.accounts import services as accounts
from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.core.models import utcnow
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.orders import checkout, lifecycle, queries
from marketplace.orders.cart import DatabaseCart
from marketplace.orders.lifecycle import OutOfStock
from marketplace.orders.models import MerchantOrder, Order, OrderLine
from marketplace.rates.services import rates_in_force

from .conftest import ADDRESS, fill_cart, make

pytestmark = pytest.mark.commits

BUYERS = 20
LAST_UNITS = 3
SECONDS = 60  # a hang fails the test after this long instead of blocking the run


def new_buyers(app, count: int) -> list[str]:
    """Buyer accounts made through the sign-up service, committed; their emails."""
    emails = [f"racer{n}@example.my" for n in range(count)]
    with app.test_request_context(method="POST"), unit_of_work(capture=False):
        for email in emails:
            accounts.register_buyer(accounts.BuyerSignup(email=email, password="racing-for-kopi-2025", details=(
                accounts.BuyerDetails(full_name=email.split("@")[0], company=None, country="MY", state="MY-10",
                                      region=None, city="Petaling Jaya", postcode="47300", phone="+60123456789"))))
    return emails


def product_with(app, stock: int) -> int:
    """A published product of the coffee roaster, one unit at a time, with this many left."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        product_id = make("merchant@serumpun.example", f"LAST-{secrets.token_hex(3)}", moq=1, stock=stock, tiers=[])
        db.session.commit()
    return product_id


def carts_with(app, emails: list[str], product_id: int, quantity: int = 1) -> None:
    with app.test_request_context(method="POST", headers={"Accept-Language": "en"}), unit_of_work(capture=False):
        for email in emails:
            fill_cart(email, {product_id: quantity})


def race(app, actions: list) -> list[tuple]:
    """Run each action on its own thread, all released together by a barrier, each in its own request
    (app context, session, connection) and unit of work. An action takes no argument and returns a value.

    Returns ("done", value), ("refused", message) for an OutOfStock, or ("error", repr) per action, in order.
    """
    barrier = threading.Barrier(len(actions), timeout=SECONDS)
    results: list = [None] * len(actions)

    def run(index: int, action) -> None:
        try:
            with app.test_request_context(method="POST", headers={"Accept-Language": "en"}):
                try:
                    barrier.wait()
                    with unit_of_work(capture=False):
                        results[index] = ("done", action())
                except OutOfStock as refusal:
                    results[index] = ("refused", str(refusal.message))
                finally:
                    db.session.remove()
        except BaseException as error:  # noqa: BLE001  reported by the test, not lost in the thread
            results[index] = ("error", repr(error))

    threads = [threading.Thread(target=run, args=(n, action), daemon=True) for n, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS)
    assert not any(thread.is_alive() for thread in threads), f"a racer hung for {SECONDS} s"
    return results


def checkout_as(app, email: str, key: str | None = None):
    """What the checkout page does for this buyer when the form is sent (an action for race)."""
    now = utcnow()
    with app.app_context():
        rates = rates_in_force(now.date())
        buyer_id = accounts.find_user_by_email(email).id
    key = key or secrets.token_urlsafe(16)

    def place() -> str:
        buyer = db.session.get(User, buyer_id)
        return checkout.place_order(buyer, DatabaseCart(buyer), ADDRESS, key, "bank_transfer", rates, "MYR", "en",
                                    now.date(), now, 30).number
    return place


def stock_of(product_id: int) -> int:
    return db.session.scalar(select(Product.stock).where(Product.id == product_id))


def test_twenty_buyers_racing_for_the_last_three_units_make_three_orders(app, demo):
    product_id = product_with(app, LAST_UNITS)
    emails = new_buyers(app, BUYERS)
    carts_with(app, emails, product_id)

    results = race(app, [checkout_as(app, email) for email in emails])

    assert [r for r in results if r[0] == "error"] == []
    won = [r[1] for r in results if r[0] == "done"]
    lost = [r[1] for r in results if r[0] == "refused"]
    assert len(won) == LAST_UNITS and len(set(won)) == LAST_UNITS
    assert len(lost) == BUYERS - LAST_UNITS
    assert all(message.startswith("Only 0 of Coffee LAST-") and "you asked for 1" in message for message in lost)
    with app.app_context():
        assert stock_of(product_id) == 0
        orders = db.session.scalars(select(Order)).all()
        assert sorted(o.number for o in orders) == sorted(won)
        # Each order whole: one parcel with one line of one unit; nothing half written by a loser.
        for order in orders:
            assert [[line.quantity for line in parcel.lines] for parcel in order.parcels] == [[1]]
        assert db.session.scalar(select(func.count()).select_from(MerchantOrder)) == LAST_UNITS
        assert db.session.scalar(select(func.sum(OrderLine.quantity)).where(OrderLine.product_id == product_id)) \
            == LAST_UNITS
        # The losers still have their cart, to change or empty; the winners' carts were emptied.
        winners = {o.buyer_id for o in orders}
        for email in emails:
            buyer = accounts.find_user_by_email(email)
            assert DatabaseCart(buyer).lines() == ({} if buyer.id in winners else {product_id: 1})


def test_the_same_checkout_sent_from_two_threads_at_once_makes_one_order(app, demo):
    product_id = product_with(app, 5)
    [email] = new_buyers(app, 1)
    carts_with(app, [email], product_id)
    key = secrets.token_urlsafe(16)

    results = race(app, [checkout_as(app, email, key), checkout_as(app, email, key)])

    assert [r[0] for r in results] == ["done", "done"], results
    assert results[0][1] == results[1][1]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 1
        assert stock_of(product_id) == 4


def test_buyers_taking_the_same_two_products_in_opposite_orders_all_get_them(app, demo):
    """Half the carts hold coffee then tea, half tea then coffee: on PostgreSQL, rows locked in cart order
    would deadlock; each checkout must take its stock in one order that every checkout shares."""
    first, second = product_with(app, 50), product_with(app, 50)
    emails = new_buyers(app, 10)
    with app.test_request_context(method="POST", headers={"Accept-Language": "en"}), unit_of_work(capture=False):
        for n, email in enumerate(emails):
            fill_cart(email, {first: 1, second: 1} if n % 2 else {second: 1, first: 1})

    results = race(app, [checkout_as(app, email) for email in emails])

    assert [r[0] for r in results] == ["done"] * len(emails), results
    with app.app_context():
        assert (stock_of(first), stock_of(second)) == (40, 40)


def test_orders_given_back_while_others_check_out_the_same_products_neither_deadlock_nor_lose_units(app, demo):
    """Cancelling an order gives its units back while other buyers take the same products, in the other order."""
    first, second = product_with(app, 50), product_with(app, 50)
    cancelling, buying = new_buyers(app, 10)[:5], [f"racer{n}@example.my" for n in range(5, 10)]
    numbers = {}
    for email in cancelling:  # each order's lines: second, then first
        with app.test_request_context(method="POST", headers={"Accept-Language": "en"}):
            with unit_of_work(capture=False):
                fill_cart(email, {second: 2, first: 2})
            with unit_of_work(capture=False):
                numbers[email] = checkout_as(app, email)()
    with app.test_request_context(method="POST", headers={"Accept-Language": "en"}), unit_of_work(capture=False):
        for email in buying:
            fill_cart(email, {first: 1, second: 1})

    def cancel_as(email: str):
        def cancel() -> str:
            buyer = accounts.find_user_by_email(email)
            order = queries.buyer_order(buyer, numbers[email], lock=True)
            lifecycle.cancel_unpaid(order, buyer, "changed my mind")
            return order.number
        return cancel

    pairs = zip([cancel_as(email) for email in cancelling], [checkout_as(app, email) for email in buying], strict=True)
    actions = [action for pair in pairs for action in pair]
    results = race(app, actions)

    assert [r[0] for r in results] == ["done"] * len(actions), results
    with app.app_context():
        assert (stock_of(first), stock_of(second)) == (45, 45)
