"""The mixed workload for the cluster: browse and search 80%, product pages with their delivered price 15%,
cart and checkout 5%. Run by deploy/loadtest/run.py, which prepares the buyers and products (bench.checkout
prepare) and passes them in LOADTEST_PLAN; never aimed anywhere but 127.0.0.1.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

PLAN = json.load(open(os.environ["LOADTEST_PLAN"]))
PRODUCTS = [int(i) for i in PLAN["catalog_sample"]]
IN_PLAY = {int(i): v for i, v in PLAN["products"].items()}
BUYERS = itertools.cycle(PLAN["buyers"])
WORDS = ["kopi", "keripik", "keropok", "batik", "sambal", "tas kulit", "hijab", "teh", "bambu", "kue", "coffee"]
FILTERS = ["", "&halal=1", "&category=coffee-tea", "&verified=1", "&sort=price_asc", "&ships_within=30"]
STATES = ["MY-10", "MY-14", "MY-01", "MY-12", "MY-13"]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
KEY = re.compile(r'name="checkout_key"[^>]*value="([^"]+)"')
ADDRESS = {"name": "Pembeli Beban", "phone": "+60123456789", "line1": "12 Jalan SS2/24", "line2": "",
           "city": "Petaling Jaya", "postcode": "47300", "state": "MY-10", "payment_method": "bank_transfer"}


class Buyer(HttpUser):
    wait_time = between(0.1, 0.5)

    def on_start(self):
        self.email = next(BUYERS)
        self.signed_in = False
        self.token = ""

    # Browse and search: 80 in 100.
    @task(30)
    def listing(self):
        self.client.get(f"/products?page={random.randint(1, 40)}", name="listing")

    @task(40)
    def search(self):
        self.client.get(f"/products?q={random.choice(WORDS)}{random.choice(FILTERS)}", name="search")

    @task(10)
    def home(self):
        self.client.get("/", name="home")

    # Product pages with the delivered price: 15 in 100.
    @task(15)
    def product(self):
        self.client.get(f"/products/{random.choice(PRODUCTS)}?state={random.choice(STATES)}", name="product")

    # Cart and checkout: 5 in 100 (a signed-in buyer adds a product in play, then checks out).
    @task(5)
    def checkout(self):
        if not self.signed_in:
            page = self.client.get("/login", name="sign in (form)")
            self.token = CSRF.search(page.text).group(1)
            answer = self.client.post("/login", name="sign in", allow_redirects=False, data={
                "csrf_token": self.token, "email": self.email, "password": PLAN["password"]})
            self.signed_in = answer.status_code in (302, 303)
            if not self.signed_in:
                return
        product_id = random.choice(list(IN_PLAY))
        page = self.client.get(f"/products/{product_id}", name="product")
        token = CSRF.search(page.text)
        if token is None:
            return
        self.client.post("/cart/add", name="cart add", allow_redirects=False, data={
            "csrf_token": token.group(1), "product_id": product_id, "quantity": IN_PLAY[product_id]["moq"],
            "next": "/cart/"})
        form = self.client.get("/checkout", name="checkout (form)")
        key, token = KEY.search(form.text), CSRF.search(form.text)
        if key is None or token is None:  # sold out meanwhile: the cart says so
            return
        with self.client.post("/checkout", name="checkout", allow_redirects=False, catch_response=True, data={
                **ADDRESS, "csrf_token": token.group(1), "checkout_key": key.group(1)}) as answer:
            # A refusal (sold out, stock changed) is a page of its own, not an error of the server.
            if answer.status_code < 500:
                answer.success()
