"""make bench, the checkout: buyers signed in over HTTP add to cart and check out, over and over, at once.

Each buyer is a thread with its own cookies, doing what a browser does: POST /cart/add, GET /checkout
(the form and its checkout key), POST /checkout with the delivery address and bank transfer. A pass
with one buyer gives the checkout's own latency; a pass with 16 gives checkouts per second and the
latency under that load. Buyers pick products at random from a sample of the catalog still in stock,
so that some run out during the run and buyers race for their last units.

At the end, for every product in play, the units in the order lines of the run's orders must equal
the stock taken (stock before minus stock after), and no stock may be below zero: any mismatch is an
oversold (or lost) unit, and the bench exits non-zero.

The database side (making the bench buyers, choosing the products, counting at the end) runs as
`python -m bench.checkout prepare|verify` inside the app, with the environment of the server.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import random
import re
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html import unescape

BUYER_EMAIL = "bench-buyer{n}@bench.serumpun.example"
BUYER_PASSWORD = "serumpun-bench-buyer"
ADDRESS = {"name": "Pembeli Bench", "phone": "+60123456789", "line1": "12 Jalan SS2/24", "line2": "",
           "city": "Petaling Jaya", "postcode": "47300", "state": "MY-10", "payment_method": "bank_transfer"}
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
KEY_RE = re.compile(r'name="checkout_key"[^>]*value="([^"]+)"')
REQUEST_TIMEOUT = 60
SCARCE = 3  # a product with stock for at most this many orders of its MOQ is about to sell out


# ---- inside the app: python -m bench.checkout prepare|verify ------------------------------------------

def prepare(buyers: int, in_play: int, seed: int | None) -> dict:
    """Bench buyers (made once, carts emptied), a sample of products in stock, and where the run's orders start."""
    from sqlalchemy import func, select

    from marketplace import create_app
    from marketplace.accounts import services as accounts
    from marketplace.accounts.models import MerchantProfile, User
    from marketplace.catalog.models import Product, ProductStatus
    from marketplace.core.unit_of_work import unit_of_work
    from marketplace.extensions import db
    from marketplace.orders.cart import DatabaseCart
    from marketplace.orders.models import Order

    app = create_app()
    with app.app_context(), unit_of_work(capture=False):
        emails = [BUYER_EMAIL.format(n=n) for n in range(buyers)]
        for email in emails:
            user = accounts.find_user_by_email(email)
            if user is None:
                user = accounts.register_buyer(accounts.BuyerSignup(
                    email=email, password=BUYER_PASSWORD, locale="en", details=accounts.BuyerDetails(
                        full_name="Pembeli Bench", company=None, country="MY", state="MY-10", region=None,
                        city="Petaling Jaya", postcode="47300", phone="+60123456789")))
            DatabaseCart(user).clear()
        rows = db.session.execute(
            select(Product.id, Product.stock, Product.moq).join(MerchantProfile, Product.merchant_id == MerchantProfile.id)
            .join(User, MerchantProfile.user_id == User.id)
            .where(Product.status == ProductStatus.PUBLISHED, User.active.is_(True), Product.stock >= Product.moq)
            .order_by(Product.id)).all()
        # Half the products in play are down to their last few checkouts (at most SCARCE orders of the MOQ):
        # they sell out early, with buyers racing for the last units; the other half carry the run.
        rng = random.Random(seed)
        scarce = [r for r in rows if r.stock <= SCARCE * r.moq]
        plenty = [r for r in rows if r.stock > SCARCE * r.moq]
        chosen = rng.sample(scarce, min(in_play // 2, len(scarce)))
        chosen += rng.sample(plenty, min(in_play - len(chosen), len(plenty)))
        after = db.session.scalar(select(func.max(Order.id))) or 0
    return {"buyers": emails, "password": BUYER_PASSWORD, "after_order_id": after,
            "products": {str(r.id): {"stock": r.stock, "moq": r.moq} for r in chosen}}


def verify(plan: dict) -> dict:
    """Units sold in the run's orders against stock taken, per product in play; stock below zero; orders not whole."""
    from sqlalchemy import func, select

    from marketplace import create_app
    from marketplace.catalog.models import Product
    from marketplace.extensions import db
    from marketplace.orders.models import MerchantOrder, Order, OrderLine

    app = create_app()
    ids = [int(i) for i in plan["products"]]
    after = plan["after_order_id"]
    with app.app_context():
        sold = dict(db.session.execute(
            select(OrderLine.product_id, func.sum(OrderLine.quantity))
            .join(MerchantOrder, OrderLine.merchant_order_id == MerchantOrder.id)
            .join(Order, MerchantOrder.order_id == Order.id)
            .where(Order.id > after, OrderLine.product_id.in_(ids)).group_by(OrderLine.product_id)).all())
        now = dict(db.session.execute(select(Product.id, Product.stock).where(Product.id.in_(ids))).all())
        mismatches = [{"product": i, "stock_before": plan["products"][str(i)]["stock"], "stock_after": now[i],
                       "units_in_orders": int(sold.get(i, 0))}
                      for i in ids if plan["products"][str(i)]["stock"] - now[i] != sold.get(i, 0)]
        negative = db.session.scalar(select(func.count()).select_from(Product).where(Product.stock < 0))
        orders = db.session.scalar(select(func.count()).select_from(Order).where(Order.id > after))
        no_parcel = db.session.scalar(select(func.count()).select_from(Order).where(
            Order.id > after, ~select(MerchantOrder.id).where(MerchantOrder.order_id == Order.id).exists()))
        no_line = db.session.scalar(select(func.count()).select_from(MerchantOrder).join(Order).where(
            Order.id > after, ~select(OrderLine.id).where(OrderLine.merchant_order_id == MerchantOrder.id).exists()))
        sold_out = sum(1 for i in ids if now[i] < plan["products"][str(i)]["moq"])
    return {"orders": orders, "units_sold": int(sum(sold.values())), "mismatches": mismatches,
            "negative_stock": negative, "orders_not_whole": no_parcel + no_line, "products_sold_out": sold_out}


# ---- the buyers, over HTTP -----------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One buyer's cookies, and forms sent as a browser sends them (no redirects followed)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())
        self.token = ""

    def request(self, path: str, form: dict | None = None) -> tuple[int, str, str]:
        data = None if form is None else urllib.parse.urlencode({"csrf_token": self.token, **form}).encode()
        request = urllib.request.Request(self.base + path, data=data, headers={"Accept-Language": "en"})
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as answer:  # 3xx (not followed) and 4xx/5xx
            with answer:
                return answer.code, answer.headers.get("Location", ""), answer.read().decode()

    def read_token(self, page: str) -> None:
        match = CSRF_RE.search(page)
        if match:
            self.token = unescape(match.group(1))

    def sign_in(self, email: str, password: str) -> None:
        self.read_token(self.request("/login")[2])
        status, _, page = self.request("/login", {"email": email, "password": password})
        if status != 302:
            raise SystemExit(f"bench buyer {email} could not sign in (HTTP {status})")
        self.read_token(self.request("/checkout")[2])  # a new session: a new token


@dataclass
class Tally:
    placed: list[float] = field(default_factory=list)  # seconds per POST /checkout that placed an order
    refused: list[float] = field(default_factory=list)  # ... that was refused (out of stock)
    add: list[float] = field(default_factory=list)  # seconds per POST /cart/add
    form: list[float] = field(default_factory=list)  # seconds per GET /checkout (the form, the order as it will be)
    cycles: int = 0  # add to cart + checkout form + checkout
    sold_out_at_add: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def buyer_loop(base: str, email: str, password: str, products: dict, sold_out: set, start: threading.Barrier,
               seconds: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    browser = Browser(base)
    try:
        try:
            browser.sign_in(email, password)
        except BaseException:
            start.abort()  # nobody waits for this buyer: the run fails
            raise
        start.wait()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            left = [p for p in products if p not in sold_out]
            if not left:
                return
            product = rng.choice(left)
            moq = products[product]["moq"]
            started = time.perf_counter()
            status, _, _ = browser.request("/cart/add", {"product_id": product, "quantity": moq, "next": "/cart/"})
            if status != 302:
                raise RuntimeError(f"POST /cart/add answered {status}")
            added = time.perf_counter()
            status, _, page = browser.request("/checkout")
            with tally.lock:
                tally.add.append(added - started)
                tally.form.append(time.perf_counter() - added)
            key = KEY_RE.search(page)
            if status != 200:
                raise RuntimeError(f"GET /checkout answered {status}")
            if key is None:  # the cart is empty: the product ran out before it could be added
                with tally.lock:
                    tally.sold_out_at_add += 1
                    sold_out.add(product)
                continue
            started = time.perf_counter()
            status, location, page = browser.request("/checkout", {**ADDRESS, "checkout_key": unescape(key.group(1))})
            took = time.perf_counter() - started
            with tally.lock:
                tally.cycles += 1
                if status == 303 and "/orders/" in location:
                    tally.placed.append(took)
                elif status == 400:  # refused, and nothing changed: the line is still in the cart
                    tally.refused.append(took)
                    sold_out.add(product)
                else:
                    raise RuntimeError(f"POST /checkout answered {status}")
            if status == 400:
                browser.request("/cart/remove", {"product_id": product, "next": "/cart/"})
    except BaseException as error:  # noqa: BLE001  counted and reported; the bench fails on any
        with tally.lock:
            tally.errors.append(f"{email}: {error!r}")


def drive(base: str, plan: dict, buyers: int, seconds: float, sold_out: set) -> dict:
    """`buyers` buyers at once for `seconds`; what they got and how long the checkouts took."""
    tally = Tally()
    start = threading.Barrier(buyers + 1)  # the clock starts once every buyer is signed in
    threads = [threading.Thread(target=buyer_loop, daemon=True, args=(
        base, plan["buyers"][n], plan["password"], plan["products"], sold_out, start, seconds, tally, n))
        for n in range(buyers)]
    for thread in threads:
        thread.start()
    try:
        start.wait(timeout=REQUEST_TIMEOUT + buyers * 5)
    except threading.BrokenBarrierError:
        pass  # a buyer could not sign in: its error is in the tally
    started = time.monotonic()
    for thread in threads:
        thread.join(timeout=seconds + REQUEST_TIMEOUT + 30)
    if any(thread.is_alive() for thread in threads):
        tally.errors.append("a buyer hung")
    elapsed = time.monotonic() - started

    def ms(values: list[float], q: int) -> float | None:
        if not values:
            return None
        return 1000 * (statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0])

    return {"buyers": buyers, "seconds": round(elapsed, 2), "placed": len(tally.placed), "refused": len(tally.refused),
            "sold_out_at_add": tally.sold_out_at_add, "cycles": tally.cycles,
            "checkouts_per_s": len(tally.placed) / elapsed, "p50": ms(tally.placed, 50), "p90": ms(tally.placed, 90),
            "p99": ms(tally.placed, 99), "refused_p50": ms(tally.refused, 50), "add_p50": ms(tally.add, 50),
            "form_p50": ms(tally.form, 50), "cycles_per_s": tally.cycles / elapsed, "errors": tally.errors}


def main() -> None:
    parser = argparse.ArgumentParser(description="The checkout bench's database side (bench/run.py calls it).")
    parser.add_argument("step", choices=["prepare", "verify"])
    parser.add_argument("--buyers", type=int, default=16)
    parser.add_argument("--in-play", type=int, default=64, help="how many products the buyers choose from")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--plan", required=True, help="the JSON file prepare writes and verify reads")
    parser.add_argument("--out", help="verify: where to write what it counted")
    args = parser.parse_args()
    if args.step == "prepare":
        with open(args.plan, "w") as plan:
            json.dump(prepare(args.buyers, args.in_play, args.seed), plan)
    else:
        with open(args.plan) as plan, open(args.out, "w") as out:
            json.dump(verify(json.load(plan)), out)


if __name__ == "__main__":
    main()
