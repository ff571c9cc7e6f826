"""A test client that behaves like a browser with forms: it sends the CSRF token."""
from __future__ import annotations

import re
from datetime import date, datetime
from html import unescape
from zoneinfo import ZoneInfo

from flask import Flask, session
from flask_wtf.csrf import generate_csrf

DEMO_PASSWORD = "serumpun-demo"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    def __init__(self, app: Flask):
        self.app = app
        self.http = app.test_client()
        # Tests read English unless they ask for another language.
        self.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        # Flask-WTF keeps one token per browser session: the token read from one page is good for every
        # form until the session is cleared (signing in or out). Keyed by the session's own token.
        self._tokens: dict[str, str] = {}

    def get(self, url: str, **kwargs):
        return self.http.get(url, **kwargs)

    def csrf_token(self, url: str = "/login") -> str:
        """The token on the page at url, read as a browser would (one GET)."""
        page = self.http.get(url).get_data(as_text=True)
        match = CSRF_RE.search(page)
        assert match, f"no CSRF token on {url}"
        return match.group(1)

    def _session_token(self) -> str | None:
        """The raw CSRF token kept in this client's session cookie, if there is one."""
        cookie = self.http.get_cookie(self.app.config["SESSION_COOKIE_NAME"])
        if cookie is None:
            return None
        try:
            session = self.app.session_interface.get_signing_serializer(self.app).loads(cookie.value)
        except Exception:  # not a session this app signed: read a page instead
            return None
        return session.get("csrf_token")

    def _start_session_token(self) -> str | None:
        """Put a CSRF token in the session, as the first page with a form would; None where the cookie is https-only."""
        if self.app.config["SESSION_COOKIE_SECURE"] or self.http.environ_base.get("wsgi.url_scheme") == "https":
            return None  # the test client would not send the cookie back to an http:// transaction
        with self.app.test_request_context():
            generate_csrf()  # Flask-WTF's own token, in a session of its own
            raw = session["csrf_token"]
        with self.http.session_transaction() as browser_session:
            browser_session.setdefault("csrf_token", raw)
        return self._session_token()

    def form_token(self, url: str) -> str:
        """The session's token for any form: Flask-WTF signs the one raw token that the session keeps.

        A browser reads it from the first page with a form; here it is read from the page at url only
        when the session cannot be read or written directly (an https-only cookie).
        """
        raw = self._session_token() or self._start_session_token()
        if raw is None:
            return self.csrf_token(url)
        if raw not in self._tokens:
            with self.app.test_request_context():
                session["csrf_token"] = raw
                self._tokens = {raw: generate_csrf()}
        return self._tokens[raw]

    def post(self, url: str, data: dict | None = None, token_from: str | None = None, **kwargs):
        """Post a form as a browser would: with the session's token (read from a page once per session)."""
        data = dict(data or {})
        if "csrf_token" not in data:
            data["csrf_token"] = self.form_token(token_from or url)
        return self.http.post(url, data=data, **kwargs)

    def login(self, email: str, password: str = DEMO_PASSWORD, **extra):
        return self.post("/login", {"email": email, "password": password, **extra})

    def logout(self):
        return self.post("/logout", token_from="/")


def bandung_today() -> date:
    """Today where merchants are (the app's time zone, Asia/Jakarta): from 17:00 UTC a day ahead of UTC's,
    so a date a merchant types as "today" must come from here, not from date.today()."""
    return datetime.now(ZoneInfo("Asia/Jakarta")).date()


def text_of(response) -> str:
    """The visible text of a page, roughly: tags removed, entities decoded."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    return match.group(1) if match else ""


def merchant_form(**overrides) -> dict:
    data = {
        "email": "toko@example.id",
        "password": "kopi-sangrai-2026",
        "confirm": "kopi-sangrai-2026",
        "business_name": "Kopi Gunung Puntang",
        "owner_name": "Ujang Sutisna",
        "whatsapp": "0812 2143 5566",
        "nib": "1234567890123",
        "address_line": "Jl. Cihampelas No. 10",
        "kecamatan": "coblong",
        "postcode": "40131",
        "categories": ["coffee-tea"],
    }
    data.update(overrides)
    return data


def buyer_form(**overrides) -> dict:
    data = {
        "email": "aminah@example.my",
        "password": "nasi-lemak-pedas",
        "confirm": "nasi-lemak-pedas",
        "full_name": "Aminah binti Yusof",
        "company": "",
        "country": "MY",
        "state": "MY-10",
        "region": "",
        "city": "Petaling Jaya",
        "postcode": "46100",
        "phone": "012-345 6789",
    }
    data.update(overrides)
    return data


def product_form(**overrides) -> dict:
    """A complete, publishable product as a merchant would type it (photos come separately)."""
    data = {
        "name_id": "Kopi Arabika Java Preanger 250 g",
        "name_en": "Java Preanger Arabica Coffee 250 g",
        "description_id": "Biji kopi sangrai medium dari Gunung Puntang.",
        "description_en": "Medium-roast beans from Mount Puntang.",
        "category": "coffee-tea",
        "hs_code": "0901.21",
        "sku": "KOPI-250",
        "price": "85.000",
        "stock": "120",
        "moq": "1",
        "processing": "ready",
        "made_to_order_days": "",
        "tiers-0-min_quantity": "12",
        "tiers-0-unit_price": "78000",
        "tiers-1-min_quantity": "48",
        "tiers-1-unit_price": "72000",
        "packed_weight_g": "320",
        "box_length_cm": "18",
        "box_width_cm": "12",
        "box_height_cm": "6.5",
        "net_content": "250",
        "net_content_unit": "g",
        "units_per_carton": "24",
        "packaging_material": "paper",
        "recyclable": "y",
        "shelf_life_days": "365",
        "storage_note": "Simpan di tempat sejuk dan kering.",
        "label_languages": ["id", "en"],
        "halal_body": "bpjph",
        "halal_number": "ID32110000123450124",
        "halal_expires_on": "2029-01-31",
        "food_registration": "md",
        "food_registration_number": "MD 224510001234",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def create_product(app, email: str = "merchant@serumpun.example", photos: int = 0, publish: bool = False,
                   photo_size: tuple[int, int] = (1000, 700), **overrides) -> int:
    """A product as the merchant's form would save it, made through the catalog services; returns its id.

    For tests about something else than the merchant's pages: the form parses product_form(**overrides)
    exactly as on the page, then the services that the views call create, photograph and publish it.
    """
    from sqlalchemy import select
    from werkzeug.datastructures import MultiDict

    from marketplace.accounts.models import User
    from marketplace.catalog import services
    from marketplace.catalog.forms import ProductForm, product_data_from
    from marketplace.catalog.models import ProductStatus
    from marketplace.extensions import db
    from marketplace.media.storage import storage

    from .images import png

    with app.test_request_context(method="POST"):
        user = db.session.scalar(select(User).where(User.email == email))
        form = ProductForm(formdata=MultiDict(product_form(**overrides)), meta={"csrf": False})
        assert form.validate(), form.errors
        product = services.create_product(user, product_data_from(form))
        if photos:
            services.add_photos(user, product.id, [("a.png" if n == 0 else f"{n}.png", png(*photo_size, colour=(20 + n, 140, 60)))
                                               for n in range(photos)],
                                storage())
        if publish:
            services.change_status(user, product.id, ProductStatus.PUBLISHED)
        db.session.commit()
        return product.id


def publish_product(app, email: str = "merchant@serumpun.example", **overrides) -> int:
    """A product made, photographed and published (through the services the merchant's pages call)."""
    return create_product(app, email, photos=1, publish=True, **overrides)


def open_menu(page):
    """On a phone the header's account, navigation and language buttons fold into "Menu": open it as a person
    would (a no-op on a wide screen, where they are always shown). Returns the page, for chaining."""
    toggle = page.locator("details.menu > summary")
    if toggle.is_visible() and page.locator("details.menu[open]").count() == 0:
        toggle.click()
    return page


def fits_the_screen(page) -> bool:
    """True when the page does not scroll sideways, measured as a person sees it: after the page has loaded.
    A click's navigation can put the heading in the DOM before serumpun.css applies, and a page measured then
    lays its photos out at their natural width (CI saw a product page 'overflow' that way)."""
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def queued_jobs(app, name: str, scheduled: bool = False) -> list[tuple]:
    """The arguments of each job of this name waiting in the app's queue, as the code asked for them.

    A huey message carries only its row in the job outbox (core.jobs.QueuedJob); the arguments are there.
    With scheduled, jobs held for a time too, as (arguments, eta) pairs."""
    from contextlib import nullcontext

    from flask import current_app, has_app_context

    from marketplace.core.jobs import OUTBOX_ID, QueuedJob, jobs_of
    from marketplace.extensions import db

    huey = jobs_of(app).huey
    tasks = [*huey.pending(), *(huey.scheduled() if scheduled else [])]
    found = []
    # Inside the app's own context, its session (a second one would wait for the first's lock on SQLite).
    inside = has_app_context() and current_app._get_current_object() is app
    with nullcontext() if inside else app.app_context():
        for task in tasks:
            if task.name != name:
                continue
            row = db.session.get(QueuedJob, task.kwargs[OUTBOX_ID])
            args = tuple(row.arguments["args"])
            found.append((args, task.eta.replace(tzinfo=None) if task.eta else None) if scheduled else args)
    return found
